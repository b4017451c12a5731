//! The words of editing a database plan together (`ui::live`), in Chinese and English.

use super::Lang;

/// The strings of the live layer in one language.
pub struct LiveStrings {
    pub up_to_date: &'static str,
    pub sending: &'static str,
    pub live: &'static str,
    pub read_only_badge: &'static str,
    pub read_only_refused: &'static str,
    pub conflict_waits: &'static str,
    pub show_conflict: &'static str,
    pub conflict_title: &'static str,
    pub conflict_intro: &'static str,
    pub field: &'static str,
    pub mine: &'static str,
    pub theirs: &'static str,
    pub keep_mine: &'static str,
    pub take_theirs: &'static str,
    pub merge_fields: &'static str,
    pub merge_hint: &'static str,
    pub kind: &'static str,
    pub geometry: &'static str,
    pub geometry_changed: &'static str,
    pub change: &'static str,
    pub removed: &'static str,
    pub absent: &'static str,
    pub name: &'static str,
    pub status: &'static str,
    pub estimated_cost: &'static str,
    pub actual_cost: &'static str,
    pub funding: &'static str,
    pub funding_parts: [&'static str; 4],
    pub features: &'static str,
    pub other_fields: &'static str,
    pub other_parts: &'static str,
    pub other_parts_hint: &'static str,
    pub feature: &'static str,
    pub item: &'static str,
    pub republished: &'static str,
    pub reopen: &'static str,
    pub undo_prefix: &'static str,
    pub redo_prefix: &'static str,
    pub kept_mine: &'static str,
    pub merged: &'static str,
    pub took_theirs: &'static str,
    pub failed: &'static str,
    pub yuan: &'static str,
    pub none: &'static str,
    /// Modified, added, removed.
    pub change_kinds: [&'static str; 3],
    pub vertices: &'static str,
    pub sent_on_reconnecting: &'static str,
    pub back_online: &'static str,
    /// Save on a plan edited together: nothing to publish.
    pub all_sent: &'static str,
    /// Save on a plan edited together while edits wait to be sent.
    pub still_waiting: &'static str,
}

impl LiveStrings {
    /// "Offline: N edits waiting, reconnecting…"
    pub fn offline(&self, n: usize) -> String {
        if std::ptr::eq(self, &ZH) {
            format!("连接已断开：{n} 处修改待发送，正在重连…")
        } else {
            format!("Offline: {n} edit{} waiting, reconnecting…", if n == 1 { "" } else { "s" })
        }
    }

    /// "postgres changed 104楼 (rename)".
    pub fn changed_by(&self, user: &str, what_object: &str, what: &str, more: usize) -> String {
        let zh = std::ptr::eq(self, &ZH);
        let more = match (more, zh) {
            (0, _) => String::new(),
            (n, true) => format!("等 {} 处", n + 1),
            (n, false) => format!(" and {n} more"),
        };
        if zh {
            format!("{user} 修改了 {what_object}{more}（{what}）")
        } else {
            format!("{user} changed {what_object}{more} ({what})")
        }
    }

    /// "N edits held until the conflict is resolved".
    pub fn held(&self, n: usize) -> String {
        if std::ptr::eq(self, &ZH) {
            format!("另有 {n} 处修改暂存本机，待冲突解决后发送")
        } else {
            format!("{n} more edit{} held here until then", if n == 1 { "" } else { "s" })
        }
    }

    /// An edit's words with a note after them, as each language brackets it: "改名（保留我的）", "rename (keep mine)".
    pub fn noted(&self, what: &str, note: &str) -> String {
        if std::ptr::eq(self, &ZH) { format!("{what}（{note}）") } else { format!("{what} ({note})") }
    }

    /// Who changed the same objects, and when.
    pub fn conflict_with(&self, who: &str, at: &str, what: &str) -> String {
        if std::ptr::eq(self, &ZH) {
            format!("{who} 于 {at} 修改了同一对象（{what}）")
        } else {
            format!("{who} changed the same objects at {at} ({what})")
        }
    }
}

impl Lang {
    /// The live layer's strings in this language.
    pub fn live(self) -> &'static LiveStrings {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

static ZH: LiveStrings = LiveStrings {
    up_to_date: "在线协作 · 已同步",
    sending: "在线协作 · 正在发送…",
    live: "在线协作",
    read_only_badge: "在线协作 · 只读",
    read_only_refused: "此数据库角色只能查看本规划，不能修改（只读）",
    conflict_waits: "修改冲突：他人刚改过同一对象，您的修改暂留本机，请选择如何处理",
    show_conflict: "查看冲突…",
    conflict_title: "修改冲突",
    conflict_intro: "您与他人修改了同一对象。在您选择之前，您的修改只保存在本机，数据库中仍是对方的版本。",
    field: "字段",
    mine: "我的",
    theirs: "对方的",
    keep_mine: "保留我的",
    take_theirs: "采用对方的",
    merge_fields: "按字段合并",
    merge_hint: "逐项选择“我的”或“对方的”，再点“按字段合并”。",
    kind: "类型",
    geometry: "图形",
    geometry_changed: "已改动",
    change: "改造变化",
    removed: "已删除",
    absent: "（无）",
    name: "名称",
    status: "状态",
    estimated_cost: "估算造价",
    actual_cost: "实际造价",
    funding: "资金来源",
    funding_parts: ["政府", "社会资本", "居民", "产权单位"],
    features: "关联要素",
    other_fields: "其他字段",
    other_parts: "规划的其他部分",
    other_parts_hint: "故事、图框、底图、照片、居民意见、运营台账等",
    feature: "要素",
    item: "项目",
    republished: "有人重新发布了整个规划：请重新打开以获取最新版本",
    reopen: "重新打开",
    undo_prefix: "撤销",
    redo_prefix: "重做",
    kept_mine: "已保留我的修改并发送",
    merged: "已按字段合并并发送",
    took_theirs: "已采用对方的修改",
    failed: "未能同步",
    yuan: "元",
    none: "—",
    change_kinds: ["改造", "新增", "拆除"],
    vertices: "个顶点",
    sent_on_reconnecting: "重连后发送",
    back_online: "已重新连接，待发送的修改已发出",
    all_sent: "无需保存：每处修改在做出时已存入数据库",
    still_waiting: "尚有修改待发送（连接恢复后自动发出）；也可另存为文件",
};

static EN: LiveStrings = LiveStrings {
    up_to_date: "Live · up to date",
    sending: "Live · sending…",
    live: "Live",
    read_only_badge: "Live · read-only",
    read_only_refused: "This database role may only view this plan, not change it (read-only)",
    conflict_waits: "Conflict: someone else just changed the same objects; your edit stays here until you choose",
    show_conflict: "Show conflict…",
    conflict_title: "Conflicting edits",
    conflict_intro: "You and someone else changed the same objects. Until you choose, your edit stays on this \
                     machine and the database keeps their version.",
    field: "Field",
    mine: "Mine",
    theirs: "Theirs",
    keep_mine: "Keep mine",
    take_theirs: "Take theirs",
    merge_fields: "Merge fields",
    merge_hint: "Choose mine or theirs for each field, then Merge fields.",
    kind: "Kind",
    geometry: "Geometry",
    geometry_changed: "changed",
    change: "Renewal change",
    removed: "removed",
    absent: "(none)",
    name: "Name",
    status: "Status",
    estimated_cost: "Estimated cost",
    actual_cost: "Actual cost",
    funding: "Funding",
    funding_parts: ["government", "social capital", "residents", "property unit"],
    features: "Features",
    other_fields: "Other fields",
    other_parts: "The plan's other parts",
    other_parts_hint: "stories, title block, basemaps, photos, residents' consent, operations ledger…",
    feature: "Feature",
    item: "Item",
    republished: "Someone published the whole plan again: open it again to get their version",
    reopen: "Open again",
    undo_prefix: "Undo",
    redo_prefix: "Redo",
    kept_mine: "Kept my edit and sent it",
    merged: "Merged field by field and sent",
    took_theirs: "Took their edit",
    failed: "Could not sync",
    yuan: "yuan",
    none: "—",
    change_kinds: ["modified", "added", "removed"],
    vertices: "vertices",
    sent_on_reconnecting: "sent on reconnecting",
    back_online: "Back online: the edits that waited were sent",
    all_sent: "Nothing to save: every edit went into the database as it was made",
    still_waiting: "Edits are waiting to be sent (they go when the connection is back); Save as… writes a file meanwhile",
};
