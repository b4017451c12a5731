//! Every string the user sees, in Chinese and English, in one place.
//! A [`Strings`] table per language: adding a string means adding it to both,
//! or the build fails.

use crate::model::Kind;

/// The interface language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn is_chinese(self) -> bool {
        self == Lang::Zh
    }
    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

/// The interface strings of one language.
pub struct Strings {
    pub app_title: &'static str,
    pub menu_file: &'static str,
    pub menu_edit: &'static str,
    pub menu_view: &'static str,
    pub menu_help: &'static str,
    pub open: &'static str,
    pub open_path: &'static str,
    pub open_jinsong: &'static str,
    pub quit: &'static str,
    pub undo: &'static str,
    pub redo: &'static str,
    pub nothing_to_undo: &'static str,
    pub nothing_to_redo: &'static str,
    pub fit_district: &'static str,
    pub show_labels: &'static str,
    pub language: &'static str,
    pub shortcuts: &'static str,
    pub shortcuts_text: &'static str,
    pub about: &'static str,
    pub about_text: &'static str,
    pub layers: &'static str,
    pub plan: &'static str,
    pub inspector: &'static str,
    pub nothing_selected: &'static str,
    pub kind: &'static str,
    pub area: &'static str,
    pub perimeter: &'static str,
    pub length: &'static str,
    pub position: &'static str,
    pub properties: &'static str,
    pub search: &'static str,
    pub search_hint: &'static str,
    pub search_none: &'static str,
    pub warnings: &'static str,
    pub features: &'static str,
    pub loading: &'static str,
    pub load_failed: &'static str,
    pub loaded: &'static str,
    pub path_prompt: &'static str,
    pub cancel: &'static str,
    pub ok: &'static str,
    pub close: &'static str,
    pub schematic_badge: &'static str,
    pub set_kind_all_like: &'static str,
    pub action_set_kind: &'static str,
    pub action_set_property: &'static str,
    pub drop_hint: &'static str,
    pub lon_lat: &'static str,
    pub scale: &'static str,
    pub feature_count: &'static str,
    pub in_view: &'static str,
}

impl Strings {
    /// The name of a kind, as the layer list and inspector show it.
    pub fn kind(&self, kind: Kind) -> &'static str {
        let zh = std::ptr::eq(self, &ZH);
        match (kind, zh) {
            (Kind::Boundary, true) => "社区边界",
            (Kind::Building, true) => "楼栋",
            (Kind::Street, true) => "街巷",
            (Kind::Garden, true) => "花园绿地",
            (Kind::Core, true) => "核心（居委会·物业）",
            (Kind::Node, true) => "节点（服务设施）",
            (Kind::Other, true) => "其他",
            (Kind::Boundary, false) => "Boundary",
            (Kind::Building, false) => "Buildings",
            (Kind::Street, false) => "Streets",
            (Kind::Garden, false) => "Gardens",
            (Kind::Core, false) => "Cores",
            (Kind::Node, false) => "Nodes",
            (Kind::Other, false) => "Other",
        }
    }
}

pub static ZH: Strings = Strings {
    app_title: "更新规划 Renewal Planner",
    menu_file: "文件",
    menu_edit: "编辑",
    menu_view: "视图",
    menu_help: "帮助",
    open: "打开 GeoJSON…",
    open_path: "按路径打开…",
    open_jinsong: "打开劲松示例方案",
    quit: "退出",
    undo: "撤销",
    redo: "重做",
    nothing_to_undo: "没有可撤销的操作",
    nothing_to_redo: "没有可重做的操作",
    fit_district: "全图",
    show_labels: "显示标注",
    language: "语言",
    shortcuts: "快捷键",
    shortcuts_text: "拖动 / 方向键：平移\n滚轮 / 触控板捏合 / + −：缩放\nHome：全图\n单击：选择　Esc：取消选择\nCtrl+F：搜索\nCtrl+O：打开\nCtrl+Z：撤销　Ctrl+Shift+Z / Ctrl+Y：重做",
    about: "关于",
    about_text: "更新规划：老旧小区有机更新规划工具，以劲松模式（朝阳区劲松一区、二区）为范例。",
    layers: "图层",
    plan: "方案",
    inspector: "属性",
    nothing_selected: "在地图上单击要素以查看属性。",
    kind: "类型",
    area: "面积",
    perimeter: "周长",
    length: "长度",
    position: "位置",
    properties: "属性表",
    search: "搜索",
    search_hint: "搜索楼号或名称（如 101、劲松园）",
    search_none: "未找到",
    warnings: "警告",
    features: "要素",
    loading: "正在加载",
    load_failed: "无法打开",
    loaded: "已打开",
    path_prompt: "GeoJSON 文件路径：",
    cancel: "取消",
    ok: "确定",
    close: "关闭",
    schematic_badge: "示意图，非测绘成果",
    set_kind_all_like: "同值要素一并修改",
    action_set_kind: "修改类型",
    action_set_property: "修改属性",
    drop_hint: "松开以打开文件",
    lon_lat: "经纬度",
    scale: "比例",
    feature_count: "要素数",
    in_view: "视野内",
};

pub static EN: Strings = Strings {
    app_title: "Renewal Planner 更新规划",
    menu_file: "File",
    menu_edit: "Edit",
    menu_view: "View",
    menu_help: "Help",
    open: "Open GeoJSON…",
    open_path: "Open path…",
    open_jinsong: "Open the Jinsong sample plan",
    quit: "Quit",
    undo: "Undo",
    redo: "Redo",
    nothing_to_undo: "Nothing to undo",
    nothing_to_redo: "Nothing to redo",
    fit_district: "Fit district",
    show_labels: "Show labels",
    language: "Language",
    shortcuts: "Keyboard shortcuts",
    shortcuts_text: "Drag / arrow keys: pan\nWheel / pinch / + −: zoom\nHome: fit district\nClick: select   Esc: clear selection\nCtrl+F: search\nCtrl+O: open\nCtrl+Z: undo   Ctrl+Shift+Z / Ctrl+Y: redo",
    about: "About",
    about_text: "Renewal Planner: planning the organic renewal of old residential communities, after the Jinsong model (Jinsong District 1 & 2, Chaoyang, Beijing).",
    layers: "Layers",
    plan: "Plan",
    inspector: "Inspector",
    nothing_selected: "Click a feature on the map to inspect it.",
    kind: "Kind",
    area: "Area",
    perimeter: "Perimeter",
    length: "Length",
    position: "Position",
    properties: "Properties",
    search: "Search",
    search_hint: "Find a building number or name (e.g. 101, Jinsong Garden)",
    search_none: "Not found",
    warnings: "Warnings",
    features: "features",
    loading: "Loading",
    load_failed: "Could not open",
    loaded: "Opened",
    path_prompt: "Path of a GeoJSON file:",
    cancel: "Cancel",
    ok: "OK",
    close: "Close",
    schematic_badge: "Schematic, not surveyed",
    set_kind_all_like: "Also features with the same value",
    action_set_kind: "set kind",
    action_set_property: "set property",
    drop_hint: "Drop to open the file",
    lon_lat: "Lon/Lat",
    scale: "Scale",
    feature_count: "Features",
    in_view: "in view",
};

impl Strings {
    /// The menu name of an edit.
    pub fn action(&self, label: crate::edit::EditLabel) -> &'static str {
        match label {
            crate::edit::EditLabel::SetKind => self.action_set_kind,
            crate::edit::EditLabel::SetProperty => self.action_set_property,
        }
    }
}
