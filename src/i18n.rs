//! Every string the user sees, in Chinese and English, in one place.
//! A [`Strings`] table per language: adding a string means adding it to both,
//! or the build fails.

use crate::model::Kind;

pub mod live;

pub use crate::model::Lang;

/// The strings of each language live here, not in the model, which may not
/// import `i18n`.
impl Lang {
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
    pub undone: &'static str,
    pub redone: &'static str,
    pub nothing_to_redo: &'static str,
    pub undo_failed: &'static str,
    pub redo_failed: &'static str,
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
    pub load_cancelled: &'static str,
    pub preparing_map: &'static str,
    pub autosave_off_big: &'static str,
    pub coordinates: &'static str,
    pub gcj02_web: &'static str,
    pub bd09_web: &'static str,
    pub import_crs: &'static str,
    pub crs_detect: &'static str,
    pub loaded: &'static str,
    pub path_prompt: &'static str,
    pub jinsong_name: &'static str,
    pub reader_stopped: &'static str,
    pub writer_stopped: &'static str,
    pub autosave_failed: &'static str,
    pub exported: &'static str,
    pub export_failed: &'static str,
    /// The export progress panel: "Exporting FILE…".
    pub exporting: &'static str,
    /// The planner stopped an export; nothing was written.
    pub export_cancelled: &'static str,
    /// An export was asked for while another one is still being written.
    pub still_exporting: &'static str,
    pub photo_failed: &'static str,
    pub edit_refused: &'static str,
    pub editing_is_off: &'static str,
    pub prompt_map: &'static str,
    pub prompt_schedule: &'static str,
    /// The export dialog's choice and prompt for the operations ledger's cash-flow table.
    pub export_cashflow: &'static str,
    pub prompt_cashflow: &'static str,
    pub prompt_gis: &'static str,
    pub prompt_shapefile: &'static str,
    pub prompt_atlas: &'static str,
    pub prompt_empty: &'static str,
    pub prompt_not_found: &'static str,
    pub prompt_no_folder: &'static str,
    pub prompt_is_folder: &'static str,
    pub prompt_file_type: &'static str,
    pub error_title: &'static str,
    pub edit_toggle: &'static str,
    pub edit_toggle_hint: &'static str,
    pub view_hint: &'static str,
    pub cancel: &'static str,
    pub ok: &'static str,
    pub close: &'static str,
    pub schematic_badge: &'static str,
    pub set_kind_all_like: &'static str,
    pub action_set_kind: &'static str,
    pub action_set_property: &'static str,
    pub action_add_item: &'static str,
    pub action_remove_item: &'static str,
    pub action_set_status: &'static str,
    pub action_set_funding: &'static str,
    pub action_edit_item: &'static str,
    pub action_attach_item: &'static str,
    pub action_add_catalogue_entry: &'static str,
    pub drop_hint: &'static str,
    pub lon_lat: &'static str,
    pub scale: &'static str,
    pub feature_count: &'static str,
    pub in_view: &'static str,
    pub items: &'static str,
    pub add_item: &'static str,
    pub picker_title: &'static str,
    pub picker_hint: &'static str,
    pub picker_for: &'static str,
    pub suits: &'static str,
    pub add: &'static str,
    pub all: &'static str,
    pub new_entry: &'static str,
    pub entry_id: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub category: &'static str,
    pub class: &'static str,
    pub status: &'static str,
    pub date: &'static str,
    pub planned_start: &'static str,
    pub planned_end: &'static str,
    pub estimated_cost: &'static str,
    pub actual_cost: &'static str,
    pub funding: &'static str,
    pub party: &'static str,
    pub operator: &'static str,
    pub operating_term: &'static str,
    pub money_empty: &'static str,
    pub money_negative: &'static str,
    pub money_not_an_amount: &'static str,
    pub money_too_large: &'static str,
    pub quantity: &'static str,
    pub unit: &'static str,
    pub unit_cost: &'static str,
    pub cost_override: &'static str,
    pub cost_follows: &'static str,
    pub amount_hint: &'static str,
    pub before_note: &'static str,
    pub after_note: &'static str,
    pub linked_features: &'static str,
    pub attach_selected: &'static str,
    pub detach: &'static str,
    pub delete_item: &'static str,
    pub balance: &'static str,
    pub yuan: &'static str,
    pub years: &'static str,
    pub history: &'static str,
    pub consistent: &'static str,
    pub edit: &'static str,
    pub items_table: &'static str,
    pub filter_feature: &'static str,
    pub theme: &'static str,
    pub dashboard: &'static str,
    pub done_items: &'static str,
    pub done_cost: &'static str,
    pub total_investment: &'static str,
    /// Dashboard heading as of a date: "进度截至 2019-06-30".
    pub progress_as_of: &'static str,
    pub progress_before: &'static str,
    pub progress_after: &'static str,
    /// After a count: items with no history entry yet on the as-of date.
    pub not_yet_recorded: &'static str,
    /// Under a legend whose entries carry counts.
    pub legend_counts_note: &'static str,
    /// Under a legend of operating spaces, whose entries count spaces, not items.
    pub legend_spaces_note: &'static str,
    pub funding_split: &'static str,
    pub category_status: &'static str,
    pub save: &'static str,
    pub save_as: &'static str,
    pub saved: &'static str,
    pub saving: &'static str,
    pub still_saving: &'static str,
    pub save_failed: &'static str,
    pub save_prompt: &'static str,
    pub none: &'static str,
    pub no_items: &'static str,
    pub selected_features: &'static str,
    pub shift_hint: &'static str,
    pub status_date_hint: &'static str,
    pub action_draw: &'static str,
    pub action_delete_feature: &'static str,
    pub action_move_vertex: &'static str,
    pub action_insert_vertex: &'static str,
    pub action_delete_vertex: &'static str,
    pub action_move_feature: &'static str,
    pub tool_select: &'static str,
    pub tool_point: &'static str,
    pub tool_line: &'static str,
    pub tool_polygon: &'static str,
    pub tool_rect: &'static str,
    pub tool_measure: &'static str,
    pub tools: &'static str,
    pub draw_hint: &'static str,
    pub rect_hint: &'static str,
    pub edit_hint: &'static str,
    pub measure_hint: &'static str,
    pub validity: &'static str,
    pub valid: &'static str,
    pub new_feature_name: &'static str,
    pub delete_features: &'static str,
    pub cannot_delete_vertex: &'static str,
    pub name: &'static str,
    pub distance: &'static str,
    pub export: &'static str,
    pub export_map: &'static str,
    pub export_gis: &'static str,
    /// The Shapefile export (issue 16) and its coordinate systems: the plan centre's zone.
    pub export_shapefile: &'static str,
    pub gauss_kruger_zone: &'static str,
    pub utm_zone: &'static str,
    pub export_atlas: &'static str,
    pub whole_district: &'static str,
    pub current_view: &'static str,
    pub paper: &'static str,
    pub pixels: &'static str,
    pub portrait: &'static str,
    pub landscape: &'static str,
    pub title_block: &'static str,
    pub tb_project: &'static str,
    pub tb_sheet: &'static str,
    pub tb_sheet_number: &'static str,
    pub tb_scale: &'static str,
    pub tb_drawn_by: &'static str,
    pub tb_checked_by: &'static str,
    pub tb_date: &'static str,
    pub sheet_before: &'static str,
    pub sheet_after: &'static str,
    pub sheet_compare: &'static str,
    pub sheet_as_of: &'static str,
    pub legend_changes: &'static str,
    pub action_edit_title_block: &'static str,
    pub export_to: &'static str,
    pub new_story: &'static str,
    pub export_handout: &'static str,
    pub handout_prompt: &'static str,
    pub move_up: &'static str,
    pub move_down: &'static str,
    pub stories: &'static str,
    pub add_slide: &'static str,
    pub present: &'static str,
    pub no_slides: &'static str,
    /// The atlas page's facts heading for a building, and for any other site.
    pub building_facts: &'static str,
    pub site_facts: &'static str,
    pub fact_floors: &'static str,
    pub fact_households: &'static str,
    pub fact_year_built: &'static str,
    pub fact_structure: &'static str,
    pub fact_floor_area: &'static str,
    pub fact_footprint: &'static str,
    /// The unit after an area in an export (the bundled font has no ²).
    pub square_metres: &'static str,
    pub untitled: &'static str,
    pub duplicate: &'static str,
    pub recapture: &'static str,
    pub delete: &'static str,
    pub title_zh: &'static str,
    pub title_en: &'static str,
    pub caption_zh: &'static str,
    pub caption_en: &'static str,
    pub action_add_slide: &'static str,
    pub action_edit_slide: &'static str,
    pub action_move_slide: &'static str,
    pub action_delete_slide: &'static str,
    pub action_duplicate_slide: &'static str,
    pub action_edit_story: &'static str,
    pub action_set_basemaps: &'static str,
    pub action_import_layer: &'static str,
    pub action_set_votes: &'static str,
    pub action_add_household: &'static str,
    pub action_edit_household: &'static str,
    pub action_remove_household: &'static str,
    pub action_add_matter: &'static str,
    pub action_edit_matter: &'static str,
    pub action_remove_matter: &'static str,
    pub action_edit_rule: &'static str,
    pub action_generate_register: &'static str,
    pub action_import_register: &'static str,
    pub action_from_database: &'static str,
    pub action_add_space: &'static str,
    pub action_edit_space: &'static str,
    pub action_remove_space: &'static str,
    pub action_add_flow: &'static str,
    pub action_edit_flow: &'static str,
    pub action_remove_flow: &'static str,
    pub action_edit_ledger: &'static str,
    /// File → Import layer… (the menu entry and the prompt's title).
    pub import_layer: &'static str,
    pub import_prompt: &'static str,
    pub imported: &'static str,
    pub import_failed: &'static str,
    pub import_cancelled: &'static str,
    pub import_empty: &'static str,
    /// Before the list of what an imported file had that is not merged (items, stories…).
    pub import_not_merged: &'static str,
    /// The chooser's filter for plans and the GIS formats the app reads.
    pub filter_plans_gis: &'static str,
    pub action_add_photo: &'static str,
    pub action_remove_photo: &'static str,
    pub photos: &'static str,
    pub add_photo: &'static str,
    pub photo_drop_hint: &'static str,
    pub photo_compare: &'static str,
    pub original_size: &'static str,
    pub photo_prompt: &'static str,
    pub recover_title: &'static str,
    pub recover_text: &'static str,
    pub recover: &'static str,
    pub discard: &'static str,
    pub unsaved_title: &'static str,
    pub unsaved_text: &'static str,
    pub dont_save: &'static str,
    pub recent_files: &'static str,
    pub recovered: &'static str,
    pub action_mark_removed: &'static str,
    pub action_mark_added: &'static str,
    pub action_set_after: &'static str,
    pub action_clear_change: &'static str,
    pub phase: &'static str,
    pub phase_before: &'static str,
    pub phase_after: &'static str,
    pub phase_as_of: &'static str,
    pub compare: &'static str,
    pub compare_none: &'static str,
    pub compare_swipe: &'static str,
    pub compare_side: &'static str,
    pub play: &'static str,
    pub pause: &'static str,
    pub what_changed: &'static str,
    pub change: &'static str,
    pub unchanged: &'static str,
    pub modified: &'static str,
    pub added: &'static str,
    pub removed: &'static str,
    pub in_force_from: &'static str,
    pub not_in_force: &'static str,
    pub by_items: &'static str,
    pub after_properties: &'static str,
    pub mark_removed: &'static str,
    pub mark_added: &'static str,
    pub mark_modified: &'static str,
    pub clear_change: &'static str,
    pub link_items: &'static str,
    pub add_after_property: &'static str,
    pub key: &'static str,
    pub value: &'static str,
    pub toggle_hint: &'static str,
    pub basemaps: &'static str,
    pub no_basemaps: &'static str,
    pub opacity: &'static str,
    pub basemap_up: &'static str,
    pub basemap_down: &'static str,
    pub basemap_remove: &'static str,
    pub add_basemap: &'static str,
    pub add_basemap_title: &'static str,
    pub basemap_crs: &'static str,
    pub basemap_crs_from_file: &'static str,
    pub basemap_epsg_code: &'static str,
    pub basemap_shift: &'static str,
    pub basemap_gcj02: &'static str,
    pub basemap_bd09: &'static str,
    pub basemap_file: &'static str,
    pub basemap_choose_file: &'static str,
    pub basemap_url: &'static str,
    pub basemap_add_url: &'static str,
    pub basemap_url_bad: &'static str,
    pub basemap_presets: &'static str,
    pub tianditu_key: &'static str,
    pub save_key: &'static str,
    pub basemap_place: &'static str,
    pub basemap_place_hint: &'static str,
    pub georef_title: &'static str,
    pub georef_click_image: &'static str,
    pub georef_click_map: &'static str,
    pub georef_point: &'static str,
    pub georef_on_image: &'static str,
    pub georef_on_map: &'static str,
    pub georef_residual: &'static str,
    pub georef_remove: &'static str,
    pub georef_need_three: &'static str,
    pub georef_rms: &'static str,
    pub georef_apply: &'static str,
    pub georef_cancel_point: &'static str,
    pub georef_close: &'static str,
    pub georef_gone: &'static str,
    pub georef_loading: &'static str,
    pub georef_image: &'static str,
    pub tianditu_key_note: &'static str,
    pub basemap_prompt: &'static str,
    pub basemap_failed: &'static str,
    pub key_saved: &'static str,
    pub key_save_failed: &'static str,
    pub basemap_epsg_bad: &'static str,
    pub cad_layers_title: &'static str,
    pub cad_layers_hint: &'static str,
    pub cad_layer: &'static str,
    pub cad_entities: &'static str,
    pub cad_leave_out: &'static str,
    pub cad_open: &'static str,
    pub cad_cancel: &'static str,
    pub table_columns_title: &'static str,
    pub table_columns_hint: &'static str,
    pub table_x_column: &'static str,
    pub table_y_column: &'static str,
    pub table_same_column: &'static str,
    pub table_columns_crs: &'static str,
    pub export_dxf: &'static str,
    pub prompt_dxf: &'static str,
    pub cad_system: &'static str,
    pub cad_plan_zone: &'static str,
    pub cad_zone: &'static str,
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

    /// Why a typed amount of money was refused.
    pub fn money_error(&self, e: crate::model::item::MoneyError) -> &'static str {
        use crate::model::item::MoneyError;
        match e {
            MoneyError::Empty => self.money_empty,
            MoneyError::Negative => self.money_negative,
            MoneyError::NotAnAmount => self.money_not_an_amount,
            MoneyError::TooLarge => self.money_too_large,
        }
    }

    /// The readable name of a well-known feature property (`floors` → 层数),
    /// `None` for a property this table does not know (shown as it is).
    pub fn field_name(&self, key: &str) -> Option<&'static str> {
        const FIELDS: &[(&str, &str, &str)] = &[
            ("kind", "要素类型", "Feature kind"),
            ("name", "名称", "Name"),
            ("name_zh", "名称", "Name (Chinese)"),
            ("name:zh", "名称", "Name (Chinese)"),
            ("name_en", "英文名称", "Name"),
            ("name:en", "英文名称", "Name"),
            ("number", "楼号", "Building number"),
            ("楼号", "楼号", "Building number"),
            ("floors", "层数", "Floors"),
            ("building:levels", "层数", "Floors"),
            ("households", "户数", "Households"),
            ("year_built", "建成年份", "Year built"),
            ("start_date", "建成年份", "Year built"),
            ("structure", "结构", "Structure"),
            ("structure_type", "结构类型", "Structure type"),
            ("floor_area_m2", "建筑面积（m²）", "Floor area (m²)"),
            ("area_m2", "面积（m²）", "Area (m²)"),
            ("area_ha", "面积（公顷）", "Area (ha)"),
            ("area_note", "面积说明", "Area note"),
            ("use", "用途", "Use"),
            ("use_zh", "用途", "Use (Chinese)"),
            ("use_en", "用途（英文）", "Use"),
            ("subdistrict_zh", "所在片区", "Sub-district (Chinese)"),
            ("subdistrict_en", "所在片区（英文）", "Sub-district"),
            ("district_zh", "所在社区", "District (Chinese)"),
            ("district_en", "所在社区（英文）", "District"),
            ("shape", "平面形状", "Plan shape"),
            ("length_m", "长度（m）", "Length (m)"),
            ("depth_m", "进深（m）", "Depth (m)"),
            ("width_m", "宽度（m）", "Width (m)"),
            ("height", "高度（m）", "Height (m)"),
            ("rotation_deg", "朝向偏角（°）", "Rotation (°)"),
            ("note_zh", "备注", "Note (Chinese)"),
            ("note_en", "备注（英文）", "Note"),
            ("street_class", "道路等级", "Street class"),
            ("surface_zh", "路面", "Surface (Chinese)"),
            ("surface_en", "路面（英文）", "Surface"),
            ("host_building", "所在楼栋", "Host building"),
            ("beside", "邻近", "Beside"),
            ("infrastructure", "基础设施", "Infrastructure"),
            ("facilities_zh", "设施", "Facilities (Chinese)"),
            ("facilities_en", "设施（英文）", "Facilities"),
            ("shopfronts_zh", "沿街商铺", "Shopfronts (Chinese)"),
            ("shopfronts_en", "沿街商铺（英文）", "Shopfronts"),
            ("addr:housenumber", "门牌号", "House number"),
            ("addr:street", "街道", "Street"),
            ("building", "建筑类型", "Building type"),
            ("amenity", "设施类型", "Amenity"),
            ("highway", "道路类型", "Highway"),
            ("landuse", "用地类型", "Land use"),
            ("leisure", "休闲用地", "Leisure"),
            ("layer", "图层", "Layer"),
        ];
        let zh = std::ptr::eq(self, &ZH);
        FIELDS.iter().find(|(k, _, _)| *k == key).map(|(_, z, e)| if zh { *z } else { *e })
    }
}

/// An area given in hundredths of m², as exactly as it is counted, in m²: `605.5`, `54`.
pub fn area_m2(centi: i64) -> String {
    format!("{}", centi as f64 / 100.0)
}

/// The words of the residents' register export and the public notice (公示) of a matter's result.
pub struct ConsentWords {
    pub export_register: &'static str,
    pub register_personal: &'static str,
    pub register_personal_warning: &'static str,
    pub prompt_register: &'static str,
    pub prompt_notice: &'static str,
    pub notice_title: &'static str,
    pub rule: &'static str,
    pub requires: &'static str,
    pub period: &'static str,
    pub period_to: &'static str,
    pub notice_date: &'static str,
    pub households: &'static str,
    pub area: &'static str,
    pub share: &'static str,
    pub in_scope: &'static str,
    pub taking_part: &'static str,
    pub agree: &'static str,
    pub disagree: &'static str,
    pub abstain: &'static str,
    pub shares_of_participants: &'static str,
    pub shares_of_scope: &'static str,
    pub result: &'static str,
    pub passed: &'static str,
    pub not_passed: &'static str,
    pub nobody_in_scope: &'static str,
    pub unknown_rule: &'static str,
    pub by_building: &'static str,
    pub by_unit: &'static str,
    pub building: &'static str,
    pub unit: &'static str,
    pub part_share: &'static str,
    pub agree_share_households: &'static str,
    pub agree_share_area: &'static str,
    pub continued: &'static str,
    pub no_personal: &'static str,
}

impl ConsentWords {
    fn zh(&self) -> bool {
        std::ptr::eq(self, &CONSENT_ZH)
    }

    /// What a matter still needs, as a planner says it: "还差 1 户、54 m² 参与表决" / "needs 1 more
    /// household and 54 m² more area taking part" (`base`: whom the rule counts agreement of). The one
    /// wording of the consent window, the vote grid, the dashboard, the item guard, the consent map's
    /// legend and the public notice; areas exactly as counted ([`area_m2`]).
    pub fn shortfall(&self, sf: &crate::model::consent::Shortfall, base: crate::model::consent::Base) -> String {
        use crate::model::consent::{Base, Stage};
        let (h, a) = (sf.households, area_m2(sf.area_centi));
        let s = if h == 1 { "" } else { "s" };
        let amount = match (self.zh(), h > 0, sf.area_centi > 0) {
            (true, true, true) => format!("{h} 户、{a} m²"),
            (true, true, false) => format!("{h} 户"),
            (true, false, _) => format!("{a} m²"),
            (false, true, true) => format!("{h} more household{s} and {a} m² more area"),
            (false, true, false) => format!("{h} more household{s}"),
            (false, false, _) => format!("{a} m² more area"),
        };
        match (self.zh(), sf.stage, base) {
            (true, Stage::Participation, _) => format!("还差 {amount} 参与表决"),
            (true, Stage::Agreement, Base::Scope) => format!("还差 {amount} 同意"),
            (true, Stage::Agreement, Base::Participants) => format!("还需 {amount} 表示同意"),
            (false, Stage::Participation, _) => format!("needs {amount} taking part"),
            (false, Stage::Agreement, _) => format!("needs {amount} agreeing"),
        }
    }

    /// A rule's thresholds in words, from its shares.
    pub fn rule_terms(&self, rule: &crate::model::consent::Rule) -> String {
        use crate::model::consent::Base;
        let zh = self.zh();
        let mut out = Vec::new();
        if let Some(p) = rule.participation {
            out.push(if zh {
                format!("参与表决 {}（户数和专有面积）", p.label())
            } else {
                format!("taking part {} of households and of area in scope", p.label())
            });
        }
        let base = match (rule.agree_of, zh) {
            (Base::Scope, true) => "范围内",
            (Base::Participants, true) => "参与表决",
            (Base::Scope, false) => "of households and of area in scope",
            (Base::Participants, false) => "of those taking part, by number and by area",
        };
        out.push(if zh {
            format!("同意 {}（{base}的户数和专有面积）", rule.agree.label())
        } else {
            format!("agreeing {} {base}", rule.agree.label())
        });
        out.join(if zh { "；" } else { "; " })
    }

    /// "第 1 / 3 页" / "Page 1 of 3".
    pub fn page(&self, i: usize, n: usize) -> String {
        if self.zh() { format!("第 {i} / {n} 页") } else { format!("Page {i} of {n}") }
    }
}

impl Lang {
    /// The words of the register export and the public notice.
    pub fn consent_words(self) -> &'static ConsentWords {
        match self {
            Lang::Zh => &CONSENT_ZH,
            Lang::En => &CONSENT_EN,
        }
    }
}

impl Strings {
    /// The register export's and the notice's words in this table's language.
    pub fn consent_words(&self) -> &'static ConsentWords {
        if std::ptr::eq(self, &ZH) { &CONSENT_ZH } else { &CONSENT_EN }
    }
}

pub static CONSENT_ZH: ConsentWords = ConsentWords {
    export_register: "住户登记",
    register_personal: "包含业主姓名和电话（个人信息）",
    register_personal_warning: "导出的文件将包含住户个人信息（姓名、电话）：只交给有权查看的人，用后删除；公示和汇报请不要勾选。",
    prompt_register: "导出住户登记 (XLSX / CSV) 路径：",
    prompt_notice: "导出表决结果公示 PDF 路径：",
    notice_title: "表决结果公示",
    rule: "表决规则",
    requires: "通过条件",
    period: "表决时间",
    period_to: "至",
    notice_date: "公示日期",
    households: "户数",
    area: "专有面积（m²）",
    share: "占比",
    in_scope: "范围内",
    taking_part: "参与表决",
    agree: "同意",
    disagree: "不同意",
    abstain: "弃权",
    shares_of_participants: "范围内、参与表决的占比以范围内为基数；同意、不同意、弃权的占比以参与表决的户数和面积为基数。",
    shares_of_scope: "占比均以范围内的户数和专有面积为基数。",
    result: "表决结果",
    passed: "通过",
    not_passed: "未通过",
    nobody_in_scope: "范围内没有住户，事项不能通过。",
    unknown_rule: "规则未知，事项不能通过",
    by_building: "各楼栋情况",
    by_unit: "各单元情况",
    building: "楼栋",
    unit: "单元",
    part_share: "参与占比",
    agree_share_households: "同意占比（户）",
    agree_share_area: "同意占比（面积）",
    continued: "（续）",
    no_personal: "本公示不含住户个人信息。",
};

pub static CONSENT_EN: ConsentWords = ConsentWords {
    export_register: "Residents' register",
    register_personal: "Include owner names and phones (personal data)",
    register_personal_warning: "The file will hold residents' personal data (names, phones): give it only to those entitled to see it and delete it after use; leave this off for notices and presentations.",
    prompt_register: "Residents' register (XLSX / CSV) path:",
    prompt_notice: "Public notice of the result (PDF) path:",
    notice_title: "Public notice of a vote's result",
    rule: "Rule",
    requires: "To pass",
    period: "Voting",
    period_to: "to",
    notice_date: "Notice date",
    households: "Households",
    area: "Floor area (m²)",
    share: "Share",
    in_scope: "In scope",
    taking_part: "Taking part",
    agree: "Agree",
    disagree: "Disagree",
    abstain: "Abstain",
    shares_of_participants: "In scope and taking part: shares of all in scope; agree, disagree and abstain: shares of those taking part, by households and by area.",
    shares_of_scope: "All shares are of the households and floor area in scope.",
    result: "Result",
    passed: "PASSED",
    not_passed: "NOT PASSED",
    nobody_in_scope: "No household is in scope: the matter cannot pass.",
    unknown_rule: "unknown rule: the matter cannot pass",
    by_building: "By building",
    by_unit: "By entrance (单元)",
    building: "Building",
    unit: "Entrance",
    part_share: "% taking part",
    agree_share_households: "% agree (hh.)",
    agree_share_area: "% agree (area)",
    continued: " (continued)",
    no_personal: "This notice holds no personal data.",
};

pub static ZH: Strings = Strings {
    app_title: "更新规划 Renewal Planner",
    menu_file: "文件",
    menu_edit: "编辑",
    menu_view: "视图",
    menu_help: "帮助",
    open: "打开方案文件…",
    open_path: "按路径打开…",
    open_jinsong: "打开劲松示例方案",
    quit: "退出",
    undo: "撤销",
    redo: "重做",
    nothing_to_undo: "没有可撤销的操作",
    undone: "已撤销",
    redone: "已重做",
    nothing_to_redo: "没有可重做的操作",
    undo_failed: "无法撤销（该步骤仍保留）",
    redo_failed: "无法重做（该步骤仍保留）",
    fit_district: "全图",
    show_labels: "显示标注",
    language: "语言",
    shortcuts: "快捷键",
    shortcuts_text: "拖动 / 方向键：平移\n滚轮 / 触控板捏合 / + −：缩放\nHome：全图\n单击：选择　Esc：取消选择\nCtrl+F：搜索（↑ ↓ 选择建议，回车前往）\nCtrl+O：打开\nCtrl+Shift+I：导入图层到本方案\nE：编辑开关（拖动顶点、移动、删除）\nCtrl+Z：撤销　Ctrl+Shift+Z / Ctrl+Y：重做",
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
    load_cancelled: "已取消打开",
    preparing_map: "文件已读完，正在建立空间索引和绘图缓存…",
    autosave_off_big: "要素超过 25 万，自动保存已关闭，请用 Ctrl+S 保存",
    coordinates: "坐标",
    gcj02_web: "GCJ-02（高德、腾讯地图）",
    bd09_web: "BD-09（百度地图）",
    import_crs: "打开文件的坐标系",
    crs_detect: "自动识别（WGS 84、crs 成员或坐标范围）",
    loaded: "已打开",
    path_prompt: "要打开的方案文件 (.gpkg / .geojson) 路径：",
    jinsong_name: "劲松",
    reader_stopped: "读取意外中止",
    writer_stopped: "写入意外中止",
    autosave_failed: "自动保存失败",
    exported: "已导出",
    export_failed: "导出失败",
    exporting: "正在导出",
    export_cancelled: "已取消导出，未写入文件：",
    still_exporting: "上一次导出还没有完成，请稍候或取消它",
    photo_failed: "无法添加照片",
    edit_refused: "无法修改",
    editing_is_off: "只在查看：按 E 或点“编辑要素”后才能修改或删除要素",
    prompt_map: "导出地图 (PNG / SVG / PDF) 路径：",
    prompt_schedule: "导出项目表 (Excel .xlsx / .csv) 路径：",
    export_cashflow: "运营现金流",
    prompt_cashflow: "导出运营现金流表 (Excel .xlsx / .csv) 路径：",
    prompt_gis: "导出 GIS 数据 (GeoJSON) 路径：",
    prompt_shapefile: "导出 Shapefile 路径（.shp，或 .zip 打包）：",
    prompt_atlas: "导出图集 PDF 路径：",
    prompt_empty: "请输入文件路径",
    prompt_not_found: "找不到这个文件",
    prompt_no_folder: "文件夹不存在",
    prompt_is_folder: "这是文件夹，请写上文件名",
    prompt_file_type: "文件类型应为",
    error_title: "出错了",
    edit_toggle: "编辑要素",
    edit_toggle_hint: "编辑开关 (E)：打开后可拖动顶点、移动和删除要素；关闭时只查看，拖动平移地图",
    view_hint: "查看中：按 E 或点“编辑要素”修改形状",
    cancel: "取消",
    ok: "确定",
    close: "关闭",
    schematic_badge: "示意图，非测绘成果",
    set_kind_all_like: "同值要素一并修改",
    action_set_kind: "修改类型",
    action_set_property: "修改属性",
    action_add_item: "添加项目",
    action_remove_item: "删除项目",
    action_set_status: "修改状态",
    action_set_funding: "修改资金",
    action_edit_item: "编辑项目",
    action_attach_item: "关联要素",
    action_add_catalogue_entry: "新增目录项",
    drop_hint: "松开以打开文件",
    lon_lat: "经纬度",
    scale: "比例",
    feature_count: "要素数",
    in_view: "视野内",
    items: "改造项目",
    add_item: "添加项目…",
    picker_title: "选择改造项目",
    picker_hint: "搜索项目名称",
    picker_for: "添加到所选要素：",
    suits: "适用",
    add: "添加",
    all: "全部",
    new_entry: "新增本方案目录项",
    entry_id: "编号",
    name_zh: "中文名",
    name_en: "英文名",
    category: "类别",
    class: "等级",
    status: "状态",
    date: "日期",
    planned_start: "计划开始",
    planned_end: "计划完成",
    estimated_cost: "估算造价",
    actual_cost: "实际造价",
    funding: "资金来源",
    party: "责任方",
    operator: "运营方",
    operating_term: "运营年限",
    money_empty: "请填写金额",
    money_negative: "金额不能为负",
    money_not_an_amount: "不是金额：请写成 1,200,000、1200000 或 120万",
    money_too_large: "金额过大",
    quantity: "数量",
    unit: "单位",
    unit_cost: "单价",
    cost_override: "手动指定造价",
    cost_follows: "= 数量 × 单价",
    amount_hint: "可写 1,200,000、120万 或 120 万元；回车确认",
    before_note: "改造前",
    after_note: "改造后",
    linked_features: "关联要素",
    attach_selected: "关联所选要素",
    detach: "移除",
    delete_item: "删除项目",
    balance: "差额计入政府",
    yuan: "元",
    years: "年",
    history: "状态记录",
    consistent: "校验通过",
    edit: "编辑",
    items_table: "项目表",
    filter_feature: "按要素筛选",
    theme: "专题图",
    dashboard: "仪表盘",
    done_items: "已完成项目",
    done_cost: "已完成投资",
    total_investment: "总投资",
    progress_as_of: "进度截至",
    progress_before: "改造前：各项目均为提议，尚未施工",
    progress_after: "目前进度（改造后）",
    not_yet_recorded: "项在该日期尚无记录，未计入",
    legend_counts_note: "（项目数）",
    legend_spaces_note: "（空间数）",
    funding_split: "资金构成",
    category_status: "类别 × 状态",
    save: "保存",
    save_as: "另存为…",
    saved: "已保存",
    saving: "正在保存",
    still_saving: "上一次保存还没有完成，请稍候",
    save_failed: "保存失败",
    save_prompt: "方案文件 (.gpkg) 路径：",
    none: "无",
    no_items: "无项目",
    selected_features: "已选要素",
    shift_hint: "Shift+单击加选，Shift+拖动框选",
    status_date_hint: "状态变更的日期",
    action_draw: "绘制要素",
    action_delete_feature: "删除要素",
    action_move_vertex: "移动顶点",
    action_insert_vertex: "插入顶点",
    action_delete_vertex: "删除顶点",
    action_move_feature: "移动要素",
    tool_select: "选择",
    tool_point: "点",
    tool_line: "线",
    tool_polygon: "面",
    tool_rect: "矩形",
    tool_measure: "量测",
    tools: "工具",
    draw_hint: "单击加点，双击或回车完成，退格删除上一点，Esc 取消；按住 Alt 不吸附",
    rect_hint: "单击两个对角点",
    edit_hint: "拖动顶点修改，拖动边中点插入顶点，右键顶点删除，拖动要素移动；Delete 删除要素",
    measure_hint: "单击量测距离与面积，双击结束；不修改方案",
    validity: "几何检查",
    valid: "几何有效",
    new_feature_name: "新要素",
    delete_features: "删除所选要素",
    cannot_delete_vertex: "无法删除顶点",
    name: "名称",
    distance: "距离",
    export: "导出…",
    export_map: "地图",
    export_gis: "GIS 数据",
    export_shapefile: "Shapefile（.shp / .zip）",
    gauss_kruger_zone: "CGCS2000 高斯-克吕格（本区所在 3° 带）",
    utm_zone: "WGS 84 UTM（本区所在带）",
    export_atlas: "图集",
    whole_district: "全区",
    current_view: "当前视图",
    paper: "纸张",
    pixels: "像素",
    portrait: "纵向",
    landscape: "横向",
    title_block: "图签",
    tb_project: "项目",
    tb_sheet: "图名",
    tb_sheet_number: "图号",
    tb_scale: "比例",
    tb_drawn_by: "制图",
    tb_checked_by: "校核",
    tb_date: "日期",
    sheet_before: "改造前现状总平面图",
    sheet_after: "改造后总平面图",
    sheet_compare: "改造前后对比总平面图",
    sheet_as_of: "改造进度总平面图",
    legend_changes: "改造变化",
    action_edit_title_block: "编辑图签",
    export_to: "导出到文件…",
    new_story: "新建演示",
    export_handout: "导出演示讲义 PDF…",
    handout_prompt: "导出讲义 PDF 路径：",
    move_up: "上移",
    move_down: "下移",
    stories: "演示",
    add_slide: "从当前视图添加幻灯片",
    present: "开始演示",
    no_slides: "还没有幻灯片：调好地图后点“从当前视图添加幻灯片”。",
    building_facts: "楼栋信息",
    site_facts: "基本信息",
    fact_floors: "层数",
    fact_households: "户数",
    fact_year_built: "建成年份",
    fact_structure: "结构",
    fact_floor_area: "建筑面积",
    fact_footprint: "占地面积（测算）",
    square_metres: "平方米",
    untitled: "（无标题）",
    duplicate: "复制",
    recapture: "更新为当前视图",
    delete: "删除",
    title_zh: "中文标题",
    title_en: "英文标题",
    caption_zh: "中文说明",
    caption_en: "英文说明",
    action_add_slide: "添加幻灯片",
    action_edit_slide: "编辑幻灯片",
    action_move_slide: "移动幻灯片",
    action_delete_slide: "删除幻灯片",
    action_duplicate_slide: "复制幻灯片",
    action_edit_story: "编辑演示",
    action_set_basemaps: "修改底图",
    action_import_layer: "导入图层",
    action_set_votes: "表决登记",
    action_add_household: "添加住户",
    action_edit_household: "修改住户",
    action_remove_household: "删除住户",
    action_add_matter: "添加表决事项",
    action_edit_matter: "修改表决事项",
    action_remove_matter: "删除表决事项",
    action_edit_rule: "修改表决规则",
    action_generate_register: "生成住户登记",
    action_import_register: "导入住户登记",
    action_from_database: "同步他人的修改",
    action_add_space: "添加经营空间",
    action_edit_space: "编辑经营空间",
    action_remove_space: "删除经营空间",
    action_add_flow: "添加现金流",
    action_edit_flow: "编辑现金流",
    action_remove_flow: "删除现金流",
    action_edit_ledger: "编辑运营账本",
    import_layer: "导入图层到本方案…",
    import_prompt: "要导入到本方案的文件 (.shp / .zip / .dxf / .kml / .kmz / .csv / .xlsx / .gpkg / .geojson) 路径：",
    imported: "已导入",
    import_failed: "无法导入",
    import_cancelled: "已取消导入",
    import_empty: "文件中没有要素",
    import_not_merged: "该文件的以下内容未合并：",
    filter_plans_gis: "方案与 GIS 数据",
    action_add_photo: "添加照片",
    action_remove_photo: "删除照片",
    photos: "照片",
    add_photo: "添加照片…",
    photo_drop_hint: "可将照片拖入此窗口",
    photo_compare: "改造前后对比",
    original_size: "原图",
    photo_prompt: "照片 (JPEG/PNG) 路径：",
    recover_title: "恢复未保存的工作",
    recover_text: "上次运行没有正常结束。自动保存的工作可以恢复：",
    recover: "恢复",
    discard: "丢弃",
    unsaved_title: "有未保存的修改",
    unsaved_text: "关闭前保存方案吗？",
    dont_save: "不保存",
    recent_files: "最近打开",
    recovered: "已恢复未保存的工作",
    action_mark_removed: "标记为拆除",
    action_mark_added: "标记为新建",
    action_set_after: "修改改造后状态",
    action_clear_change: "取消改造变化",
    phase: "阶段",
    phase_before: "改造前",
    phase_after: "改造后",
    phase_as_of: "按日期",
    compare: "对比",
    compare_none: "单图",
    compare_swipe: "卷帘",
    compare_side: "并排",
    play: "播放",
    pause: "暂停",
    what_changed: "变化清单",
    change: "变化",
    unchanged: "未变化",
    modified: "改造",
    added: "新增",
    removed: "拆除",
    in_force_from: "生效日期",
    not_in_force: "待项目完成后生效",
    by_items: "引起变化的项目",
    after_properties: "改造后属性",
    mark_removed: "标记为拆除",
    mark_added: "标记为新建",
    mark_modified: "标记为改造",
    clear_change: "取消变化",
    link_items: "关联项目",
    add_after_property: "添加改造后属性",
    key: "属性名",
    value: "值",
    toggle_hint: "T 键切换改造前后",
    basemaps: "底图",
    no_basemaps: "尚无底图：添加影像、地图切片或扫描图纸垫在要素下面",
    opacity: "不透明度",
    basemap_up: "上移（画在更上层）",
    basemap_down: "下移（画在更下层）",
    basemap_remove: "移除此底图",
    add_basemap: "添加底图…",
    add_basemap_title: "添加底图",
    basemap_crs: "影像坐标系",
    basemap_crs_from_file: "按文件所示",
    basemap_epsg_code: "或输入 EPSG 代码",
    basemap_shift: "网络地图偏移",
    basemap_gcj02: "GCJ-02（高德、腾讯）",
    basemap_bd09: "BD-09（百度）",
    basemap_file: "文件",
    basemap_choose_file: "选择文件…",
    basemap_url: "切片地址模板",
    basemap_add_url: "添加此地址",
    basemap_url_bad: "地址须以 http:// 或 https:// 开头，并含 {z}、{x} 和 {y}（或 {-y}）",
    basemap_presets: "常用底图",
    tianditu_key: "天地图密钥",
    save_key: "保存密钥",
    basemap_place: "配准…",
    basemap_place_hint: "在图片上和地图上各点同一处，至少三对控制点",
    georef_title: "控制点配准",
    georef_click_image: "在图像上点一个能认出的点（路口、楼角）",
    georef_click_map: "再在地图上点同一个点",
    georef_point: "点",
    georef_on_image: "图像（像素）",
    georef_on_map: "地图（经度, 纬度）",
    georef_residual: "残差",
    georef_remove: "删除",
    georef_need_three: "至少需要 3 对控制点",
    georef_rms: "中误差",
    georef_apply: "应用",
    georef_cancel_point: "取消这个点",
    georef_close: "关闭",
    georef_gone: "这个底图已被删除或替换",
    georef_loading: "正在读取图像…",
    georef_image: "待配准的图像",
    tianditu_key_note: "密钥只保存在本机的用户设置中，不写入规划文件",
    basemap_prompt: "底图文件路径（.mbtiles、.pmtiles、.tif、.png、.jpg）",
    basemap_failed: "底图无法显示",
    key_saved: "密钥已保存",
    key_save_failed: "密钥未能保存",
    basemap_epsg_bad: "EPSG 代码是一个正整数，如 4527",
    cad_layers_title: "CAD 图层",
    cad_layers_hint: "为每个图层选择要素类型。标注图层默认不导入，其中落在楼栋内的文字仍用作楼名。",
    cad_layer: "图层",
    cad_entities: "图元数",
    cad_leave_out: "不导入",
    cad_open: "打开",
    cad_cancel: "取消",
    table_columns_title: "点表坐标列",
    table_columns_hint: "表头中没有认出坐标列（经度/纬度、lon/lat、x/y）。请指出哪两列是坐标：",
    table_x_column: "经度 / X（东）列",
    table_y_column: "纬度 / Y（北）列",
    table_same_column: "两列不能相同",
    table_columns_crs: "米制坐标（无带号）请先在 文件 → 打开文件的坐标系 中选择坐标系。",
    export_dxf: "DXF (CAD)",
    prompt_dxf: "导出 CAD 图纸 (DXF) 路径：",
    cad_system: "坐标系（米）",
    cad_plan_zone: "规划所在的高斯-克吕格带",
    cad_zone: "高斯-克吕格 3° 带",
};

pub static EN: Strings = Strings {
    app_title: "Renewal Planner 更新规划",
    menu_file: "File",
    menu_edit: "Edit",
    menu_view: "View",
    menu_help: "Help",
    open: "Open plan file…",
    open_path: "Open path…",
    open_jinsong: "Open the Jinsong sample plan",
    quit: "Quit",
    undo: "Undo",
    redo: "Redo",
    nothing_to_undo: "Nothing to undo",
    undone: "Undone",
    redone: "Redone",
    nothing_to_redo: "Nothing to redo",
    undo_failed: "Cannot undo (the step is kept)",
    redo_failed: "Cannot redo (the step is kept)",
    fit_district: "Fit district",
    show_labels: "Show labels",
    language: "Language",
    shortcuts: "Keyboard shortcuts",
    shortcuts_text: "Drag / arrow keys: pan\nWheel / pinch / + −: zoom\nHome: fit district\nClick: select   Esc: clear selection\nCtrl+F: search (↑ ↓ pick a suggestion, Enter goes there)\nCtrl+O: open\nCtrl+Shift+I: import a layer into this plan\nE: edit toggle (drag vertices, move, delete)\nCtrl+Z: undo   Ctrl+Shift+Z / Ctrl+Y: redo",
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
    load_cancelled: "Cancelled opening",
    preparing_map: "File read; building the spatial index and drawing cache…",
    autosave_off_big: "Autosave is off for plans over 250,000 features: save with Ctrl+S",
    coordinates: "Coordinates",
    gcj02_web: "GCJ-02 (Amap, Tencent)",
    bd09_web: "BD-09 (Baidu)",
    import_crs: "Coordinates of files opened",
    crs_detect: "Detect (WGS 84, the crs member or the coordinates)",
    loaded: "Opened",
    path_prompt: "Plan file (.gpkg / .geojson) to open, path:",
    jinsong_name: "Jinsong",
    reader_stopped: "the reader stopped unexpectedly",
    writer_stopped: "the writer stopped unexpectedly",
    autosave_failed: "Autosave failed",
    exported: "Exported",
    export_failed: "Export failed",
    exporting: "Exporting",
    export_cancelled: "Export cancelled, nothing written:",
    still_exporting: "The last export has not finished yet; wait for it or cancel it",
    photo_failed: "Could not add the photo",
    edit_refused: "Could not change",
    editing_is_off: "Viewing only: press E or turn on Edit to change or delete features",
    prompt_map: "Map (PNG / SVG / PDF) path:",
    prompt_schedule: "Item schedule (Excel .xlsx / .csv) path:",
    export_cashflow: "Cash flow",
    prompt_cashflow: "Operations cash-flow table (Excel .xlsx / .csv) path:",
    prompt_gis: "GIS data (GeoJSON) path:",
    prompt_shapefile: "Shapefile path (.shp, or .zip for one zipped file):",
    prompt_atlas: "Site atlas PDF path:",
    prompt_empty: "Type the path of a file",
    prompt_not_found: "There is no such file",
    prompt_no_folder: "The folder does not exist",
    prompt_is_folder: "This is a folder: add a file name",
    prompt_file_type: "The file should be",
    error_title: "Something went wrong",
    edit_toggle: "Edit",
    edit_toggle_hint: "Edit toggle (E): drag vertices, move and delete features; off, you only look and a drag pans the map",
    view_hint: "Viewing: press E or turn on Edit to change shapes",
    cancel: "Cancel",
    ok: "OK",
    close: "Close",
    schematic_badge: "Schematic, not surveyed",
    set_kind_all_like: "Also features with the same value",
    action_set_kind: "set kind",
    action_set_property: "set property",
    action_add_item: "add item",
    action_remove_item: "remove item",
    action_set_status: "set status",
    action_set_funding: "set funding",
    action_edit_item: "edit item",
    action_attach_item: "attach item",
    action_add_catalogue_entry: "add catalogue entry",
    drop_hint: "Drop to open the file",
    lon_lat: "Lon/Lat",
    scale: "Scale",
    feature_count: "Features",
    in_view: "in view",
    items: "Renewal items",
    add_item: "Add item…",
    picker_title: "Choose a renewal item",
    picker_hint: "Search the catalogue",
    picker_for: "Adds to the selected features:",
    suits: "suits",
    add: "Add",
    all: "All",
    new_entry: "New catalogue entry for this plan",
    entry_id: "Id",
    name_zh: "Chinese name",
    name_en: "English name",
    category: "Category",
    class: "Class",
    status: "Status",
    date: "Date",
    planned_start: "Planned start",
    planned_end: "Planned end",
    estimated_cost: "Estimated cost",
    actual_cost: "Actual cost",
    funding: "Funding",
    party: "Responsible party",
    operator: "Operator",
    operating_term: "Operating term",
    money_empty: "Type an amount",
    money_negative: "Amounts cannot be negative",
    money_not_an_amount: "Not an amount: write 1,200,000, 1200000 or 120万 (1.2 million)",
    money_too_large: "The amount is too large",
    quantity: "Quantity",
    unit: "Unit",
    unit_cost: "Unit cost",
    cost_override: "Set the cost by hand",
    cost_follows: "= quantity × unit cost",
    amount_hint: "Type 1,200,000, 1200000 or 120万 (ten-thousands); Enter confirms",
    before_note: "Before",
    after_note: "After",
    linked_features: "Features",
    attach_selected: "Attach selected features",
    detach: "Detach",
    delete_item: "Delete item",
    balance: "Put the difference on government",
    yuan: "yuan",
    years: "years",
    history: "Status history",
    consistent: "Consistent",
    edit: "Edit",
    items_table: "Items table",
    filter_feature: "Filter by feature",
    theme: "Map colours",
    dashboard: "Dashboard",
    done_items: "Items completed",
    done_cost: "Investment completed",
    total_investment: "Total investment",
    progress_as_of: "Progress as of",
    progress_before: "Before the renewal: every item is a proposal, nothing is built yet",
    progress_after: "Progress today (after)",
    not_yet_recorded: "items had no record yet on that date and are not counted",
    legend_counts_note: " (items)",
    legend_spaces_note: " (spaces)",
    funding_split: "Funding by source",
    category_status: "Category × status",
    save: "Save",
    save_as: "Save as…",
    saved: "Saved",
    saving: "Saving",
    still_saving: "The last save has not finished yet; please wait",
    save_failed: "Could not save",
    save_prompt: "Plan file (.gpkg) path:",
    none: "none",
    no_items: "no items",
    selected_features: "Selected features",
    shift_hint: "Shift+click to add, Shift+drag to box-select",
    status_date_hint: "The date of the status change",
    action_draw: "draw feature",
    action_delete_feature: "delete feature",
    action_move_vertex: "move vertex",
    action_insert_vertex: "insert vertex",
    action_delete_vertex: "delete vertex",
    action_move_feature: "move feature",
    tool_select: "Select",
    tool_point: "Point",
    tool_line: "Line",
    tool_polygon: "Polygon",
    tool_rect: "Rectangle",
    tool_measure: "Measure",
    tools: "Tools",
    draw_hint: "Click to add points; double-click or Enter finishes, Backspace removes the last point, Esc cancels; hold Alt not to snap",
    rect_hint: "Click two opposite corners",
    edit_hint: "Drag a vertex to move it, an edge midpoint to insert one; right-click a vertex to delete it; drag the feature to move it; Delete removes it",
    measure_hint: "Click to measure distance and area; double-click ends; nothing is changed",
    validity: "Geometry",
    valid: "Valid geometry",
    new_feature_name: "New feature",
    delete_features: "Delete selected features",
    cannot_delete_vertex: "Cannot delete the vertex",
    name: "Name",
    distance: "Distance",
    export: "Export…",
    export_map: "Map",
    export_gis: "GIS data",
    export_shapefile: "Shapefile (.shp / .zip)",
    gauss_kruger_zone: "CGCS2000 Gauss-Krüger (the plan's 3° zone)",
    utm_zone: "WGS 84 UTM (the plan's zone)",
    export_atlas: "Atlas",
    whole_district: "Whole district",
    current_view: "Current view",
    paper: "Paper",
    pixels: "Pixels",
    portrait: "Portrait",
    landscape: "Landscape",
    title_block: "Title block",
    tb_project: "Project",
    tb_sheet: "Sheet",
    tb_sheet_number: "Sheet no.",
    tb_scale: "Scale",
    tb_drawn_by: "Drawn by",
    tb_checked_by: "Checked by",
    tb_date: "Date",
    sheet_before: "Site plan before renewal",
    sheet_after: "Site plan after renewal",
    sheet_compare: "Site plan before and after renewal",
    sheet_as_of: "Site plan of progress",
    legend_changes: "Changes",
    action_edit_title_block: "edit title block",
    export_to: "Export to file…",
    new_story: "New story",
    export_handout: "Export story handout PDF…",
    handout_prompt: "Story handout PDF path:",
    move_up: "Up",
    move_down: "Down",
    stories: "Stories",
    add_slide: "Add slide from current view",
    present: "Present",
    no_slides: "No slides yet: set up the map, then Add slide from current view.",
    building_facts: "Building facts",
    site_facts: "Facts",
    fact_floors: "Floors",
    fact_households: "Households",
    fact_year_built: "Year built",
    fact_structure: "Structure",
    fact_floor_area: "Floor area",
    fact_footprint: "Footprint (measured)",
    square_metres: "m2",
    untitled: "(untitled)",
    duplicate: "Duplicate",
    recapture: "Use current view",
    delete: "Delete",
    title_zh: "Title (Chinese)",
    title_en: "Title (English)",
    caption_zh: "Caption (Chinese)",
    caption_en: "Caption (English)",
    action_add_slide: "add slide",
    action_edit_slide: "edit slide",
    action_move_slide: "move slide",
    action_delete_slide: "delete slide",
    action_duplicate_slide: "duplicate slide",
    action_edit_story: "edit story",
    action_set_basemaps: "change basemaps",
    action_import_layer: "import layer",
    action_set_votes: "record votes",
    action_add_household: "add household",
    action_edit_household: "edit household",
    action_remove_household: "remove household",
    action_add_matter: "add matter",
    action_edit_matter: "edit matter",
    action_remove_matter: "remove matter",
    action_edit_rule: "edit voting rule",
    action_generate_register: "generate register",
    action_import_register: "import register",
    action_from_database: "others' changes from the database",
    action_add_space: "add operating space",
    action_edit_space: "edit operating space",
    action_remove_space: "remove operating space",
    action_add_flow: "add cash flow",
    action_edit_flow: "edit cash flow",
    action_remove_flow: "remove cash flow",
    action_edit_ledger: "edit operations ledger",
    import_layer: "Import layer into this plan…",
    import_prompt: "File to import into this plan (.shp / .zip / .dxf / .kml / .kmz / .csv / .xlsx / .gpkg / .geojson), path:",
    imported: "Imported",
    import_failed: "Could not import",
    import_cancelled: "Import cancelled:",
    import_empty: "the file holds no features",
    import_not_merged: "not merged from the file:",
    filter_plans_gis: "Plans and GIS data",
    action_add_photo: "add photo",
    action_remove_photo: "remove photo",
    photos: "Photos",
    add_photo: "Add photo…",
    photo_drop_hint: "or drop photos onto this window",
    photo_compare: "Before and after",
    original_size: "original",
    photo_prompt: "Photo (JPEG/PNG) path:",
    recover_title: "Recover unsaved work",
    recover_text: "The last run did not end normally. Autosaved work can be recovered:",
    recover: "Recover",
    discard: "Discard",
    unsaved_title: "Unsaved changes",
    unsaved_text: "Save the plan before closing?",
    dont_save: "Don't save",
    recent_files: "Recent files",
    recovered: "Recovered unsaved work",
    action_mark_removed: "mark removed",
    action_mark_added: "mark new",
    action_set_after: "set after state",
    action_clear_change: "clear change",
    phase: "Phase",
    phase_before: "Before",
    phase_after: "After",
    phase_as_of: "As of date",
    compare: "Compare",
    compare_none: "Single map",
    compare_swipe: "Swipe",
    compare_side: "Side by side",
    play: "Play",
    pause: "Pause",
    what_changed: "What changed",
    change: "Change",
    unchanged: "Unchanged",
    modified: "Modified",
    added: "Added",
    removed: "Removed",
    in_force_from: "In force from",
    not_in_force: "When its items are completed",
    by_items: "Caused by items",
    after_properties: "After attributes",
    mark_removed: "Mark removed",
    mark_added: "Mark new",
    mark_modified: "Mark modified",
    clear_change: "Clear change",
    link_items: "Link items",
    add_after_property: "Add an after attribute",
    key: "Key",
    value: "Value",
    toggle_hint: "T flips before/after",
    basemaps: "Basemaps",
    no_basemaps: "No basemap yet: add imagery, map tiles or a scanned plan under the features",
    opacity: "Opacity",
    basemap_up: "Move up (drawn above)",
    basemap_down: "Move down (drawn below)",
    basemap_remove: "Remove this basemap",
    add_basemap: "Add basemap…",
    add_basemap_title: "Add basemap",
    basemap_crs: "Image coordinate system",
    basemap_crs_from_file: "As the file says",
    basemap_epsg_code: "Or type an EPSG code",
    basemap_shift: "Web map shift",
    basemap_gcj02: "GCJ-02 (Amap, Tencent)",
    basemap_bd09: "BD-09 (Baidu)",
    basemap_file: "File",
    basemap_choose_file: "Choose file…",
    basemap_url: "Tile URL template",
    basemap_add_url: "Add this URL",
    basemap_url_bad: "The URL must start with http:// or https:// and contain {z}, {x} and {y} (or {-y})",
    basemap_presets: "Presets",
    tianditu_key: "Tianditu key",
    save_key: "Save key",
    basemap_place: "Place…",
    basemap_place_hint: "Click the same spot on the image and on the map, three pairs or more",
    georef_title: "Place by control points",
    georef_click_image: "Click a point you can recognise on the image (a corner, a crossing)",
    georef_click_map: "Now click the same point on the map",
    georef_point: "Point",
    georef_on_image: "Image (pixels)",
    georef_on_map: "Map (lon, lat)",
    georef_residual: "Residual",
    georef_remove: "Remove",
    georef_need_three: "At least 3 pairs of points are needed",
    georef_rms: "RMS error",
    georef_apply: "Apply",
    georef_cancel_point: "Cancel this point",
    georef_close: "Close",
    georef_gone: "This basemap was removed or replaced",
    georef_loading: "Reading the image…",
    georef_image: "The image to place",
    tianditu_key_note: "The key is kept in this computer's user settings, never in a plan file",
    basemap_prompt: "Basemap file path (.mbtiles, .pmtiles, .tif, .png, .jpg)",
    basemap_failed: "Basemap cannot be drawn",
    key_saved: "Key saved",
    key_save_failed: "The key was not saved",
    basemap_epsg_bad: "An EPSG code is a positive whole number, such as 4527",
    cad_layers_title: "CAD layers",
    cad_layers_hint: "Choose what each layer's features are. Annotation layers are left out; their texts inside buildings still name them.",
    cad_layer: "Layer",
    cad_entities: "Entities",
    cad_leave_out: "Leave out",
    cad_open: "Open",
    cad_cancel: "Cancel",
    table_columns_title: "Point table columns",
    table_columns_hint: "The header names no coordinate columns the app recognises (经度/纬度, lon/lat, x/y). Which two are they?",
    table_x_column: "Longitude / x (easting) column",
    table_y_column: "Latitude / y (northing) column",
    table_same_column: "The two columns must differ",
    table_columns_crs: "Metres without a zone prefix: choose their system first under File → Coordinates of files opened.",
    export_dxf: "DXF (CAD)",
    prompt_dxf: "CAD drawing (DXF) path:",
    cad_system: "System (metres)",
    cad_plan_zone: "The plan's Gauss-Krüger zone",
    cad_zone: "Gauss-Krüger 3° zone",
};

impl Strings {
    /// A control-point fit's failure, worded (`ui::georef`).
    pub fn georef_fit_error(&self, e: &crate::model::basemaps::FitError) -> String {
        use crate::model::basemaps::FitError;
        if !self.zh() {
            return e.to_string();
        }
        match e {
            FitError::TooFew(n) => format!("只有 {n} 个控制点：至少需要 3 个"),
            FitError::NotFinite(i) => format!("控制点 {i} 不是有效数字"),
            FitError::CollinearOnImage => "图像上的控制点在一条直线上：请选分散的点".into(),
            FitError::CollinearOnMap => "地图上的控制点在一条直线上：请选分散的点".into(),
        }
    }
}

impl Strings {
    /// "Imported N features from FILE (kinds: 20 buildings, 3 streets)", in this language.
    pub fn imported_features(&self, features: usize, file: &str, kinds: &[(Kind, usize)]) -> String {
        if self.zh() {
            let list: Vec<String> = kinds.iter().map(|(k, n)| format!("{} {n}", self.kind(*k))).collect();
            format!("{} {file} 的 {features} 个{}（{}）", self.imported, self.features, list.join("、"))
        } else {
            let list: Vec<String> =
                kinds.iter().map(|(k, n)| format!("{n} {}", self.kind(*k).to_lowercase())).collect();
            format!("{} {features} {} from {file} (kinds: {})", self.imported, self.features, list.join(", "))
        }
    }

    /// The menu name of an edit.
    pub fn action(&self, label: crate::edit::EditLabel) -> &'static str {
        match label {
            crate::edit::EditLabel::SetKind => self.action_set_kind,
            crate::edit::EditLabel::SetProperty => self.action_set_property,
            crate::edit::EditLabel::AddItem => self.action_add_item,
            crate::edit::EditLabel::RemoveItem => self.action_remove_item,
            crate::edit::EditLabel::SetStatus => self.action_set_status,
            crate::edit::EditLabel::SetFunding => self.action_set_funding,
            crate::edit::EditLabel::EditItem => self.action_edit_item,
            crate::edit::EditLabel::AttachItem => self.action_attach_item,
            crate::edit::EditLabel::AddCatalogueEntry => self.action_add_catalogue_entry,
            crate::edit::EditLabel::DrawFeature => self.action_draw,
            crate::edit::EditLabel::DeleteFeature => self.action_delete_feature,
            crate::edit::EditLabel::MoveVertex => self.action_move_vertex,
            crate::edit::EditLabel::InsertVertex => self.action_insert_vertex,
            crate::edit::EditLabel::DeleteVertex => self.action_delete_vertex,
            crate::edit::EditLabel::MoveFeature => self.action_move_feature,
            crate::edit::EditLabel::MarkRemoved => self.action_mark_removed,
            crate::edit::EditLabel::MarkAdded => self.action_mark_added,
            crate::edit::EditLabel::SetAfter => self.action_set_after,
            crate::edit::EditLabel::ClearChange => self.action_clear_change,
            crate::edit::EditLabel::AddPhoto => self.action_add_photo,
            crate::edit::EditLabel::RemovePhoto => self.action_remove_photo,
            crate::edit::EditLabel::AddSlide => self.action_add_slide,
            crate::edit::EditLabel::EditSlide => self.action_edit_slide,
            crate::edit::EditLabel::MoveSlide => self.action_move_slide,
            crate::edit::EditLabel::DeleteSlide => self.action_delete_slide,
            crate::edit::EditLabel::DuplicateSlide => self.action_duplicate_slide,
            crate::edit::EditLabel::EditStory => self.action_edit_story,
            crate::edit::EditLabel::SetBasemaps => self.action_set_basemaps,
            crate::edit::EditLabel::ImportLayer => self.action_import_layer,
            crate::edit::EditLabel::SetVotes => self.action_set_votes,
            crate::edit::EditLabel::AddHousehold => self.action_add_household,
            crate::edit::EditLabel::EditHousehold => self.action_edit_household,
            crate::edit::EditLabel::RemoveHousehold => self.action_remove_household,
            crate::edit::EditLabel::AddMatter => self.action_add_matter,
            crate::edit::EditLabel::EditMatter => self.action_edit_matter,
            crate::edit::EditLabel::RemoveMatter => self.action_remove_matter,
            crate::edit::EditLabel::EditRule => self.action_edit_rule,
            crate::edit::EditLabel::GenerateRegister => self.action_generate_register,
            crate::edit::EditLabel::ImportRegister => self.action_import_register,
            crate::edit::EditLabel::FromDatabase => self.action_from_database,
            crate::edit::EditLabel::AddSpace => self.action_add_space,
            crate::edit::EditLabel::EditSpace => self.action_edit_space,
            crate::edit::EditLabel::RemoveSpace => self.action_remove_space,
            crate::edit::EditLabel::AddFlow => self.action_add_flow,
            crate::edit::EditLabel::EditFlow => self.action_edit_flow,
            crate::edit::EditLabel::RemoveFlow => self.action_remove_flow,
            crate::edit::EditLabel::EditLedger => self.action_edit_ledger,
            crate::edit::EditLabel::EditTitleBlock => self.action_edit_title_block,
        }
    }
}

use crate::model::ThemeMode;
use crate::model::{Category, FundingSource, NationalClass, Party, Status};

impl Strings {
    fn zh(&self) -> bool {
        std::ptr::eq(self, &ZH)
    }

    /// Why a task ran out of memory, in this language.
    pub fn out_of_memory(&self, m: crate::error::OutOfMemory) -> String {
        use crate::error::OutOfMemory::*;
        if !self.zh() {
            return m.to_string();
        }
        match m {
            Open { need_mb, available_mb } => format!(
                "打开此文件约需 {need_mb} MB 内存，目前只有 {available_mb} MB 可用；请关闭其他程序，或打开较小的范围"
            ),
            RanLow => "读取此文件时电脑内存不足，已停止加载".into(),
            Reading { mb } => format!("内存不足，无法再读取此文件的 {mb} MB"),
            Writing => "写入此文件时电脑内存不足；请关闭其他程序后重新保存".into(),
            Image { need_mb, available_mb } => {
                format!("此图片约需 {need_mb} MB 内存，目前只有 {available_mb} MB 可用；请选择较小的尺寸或纸张")
            }
        }
    }

    pub fn status(&self, s: Status) -> &'static str {
        match (s, self.zh()) {
            (Status::Proposed, true) => "提出",
            (Status::Designed, true) => "设计",
            (Status::Publicised, true) => "公示",
            (Status::UnderConstruction, true) => "施工",
            (Status::Completed, true) => "竣工",
            (Status::Operating, true) => "运营",
            (Status::Proposed, false) => "Proposed",
            (Status::Designed, false) => "Designed",
            (Status::Publicised, false) => "Publicised",
            (Status::UnderConstruction, false) => "Under construction",
            (Status::Completed, false) => "Completed",
            (Status::Operating, false) => "Operating",
        }
    }

    pub fn category(&self, c: Category) -> &'static str {
        match (c, self.zh()) {
            (Category::PublicSpace, true) => "公共空间",
            (Category::Smart, true) => "智能化",
            (Category::Service, true) => "服务业态",
            (Category::Culture, true) => "社区文化",
            (Category::PublicSpace, false) => "Public space",
            (Category::Smart, false) => "Smart",
            (Category::Service, false) => "Services",
            (Category::Culture, false) => "Culture",
        }
    }

    pub fn class(&self, c: NationalClass) -> &'static str {
        match (c, self.zh()) {
            (NationalClass::Basic, true) => "基础类",
            (NationalClass::Improvement, true) => "完善类",
            (NationalClass::Upgrading, true) => "提升类",
            (NationalClass::Basic, false) => "Basic",
            (NationalClass::Improvement, false) => "Improvement",
            (NationalClass::Upgrading, false) => "Upgrading",
        }
    }

    pub fn source(&self, s: FundingSource) -> &'static str {
        match (s, self.zh()) {
            (FundingSource::Government, true) => "政府",
            (FundingSource::SocialCapital, true) => "社会资本",
            (FundingSource::Residents, true) => "居民",
            (FundingSource::PropertyUnit, true) => "产权单位",
            (FundingSource::Government, false) => "Government",
            (FundingSource::SocialCapital, false) => "Social capital",
            (FundingSource::Residents, false) => "Residents",
            (FundingSource::PropertyUnit, false) => "Property units",
        }
    }

    pub fn party(&self, p: Party) -> &'static str {
        match (p, self.zh()) {
            (Party::District, true) => "区级统筹",
            (Party::Street, true) => "街道主导",
            (Party::Community, true) => "社区协调",
            (Party::Residents, true) => "居民议事",
            (Party::Enterprise, true) => "企业运作",
            (Party::District, false) => "District",
            (Party::Street, false) => "Street office",
            (Party::Community, false) => "Community",
            (Party::Residents, false) => "Residents",
            (Party::Enterprise, false) => "Enterprise",
        }
    }

    pub fn theme_mode(&self, m: ThemeMode) -> &'static str {
        match (m, self.zh()) {
            (ThemeMode::Kind, true) => "按要素类型",
            (ThemeMode::Status, true) => "按项目状态",
            (ThemeMode::Category, true) => "按项目类别",
            (ThemeMode::Funding, true) => "按资金来源",
            (ThemeMode::Consent, true) => "按居民同意",
            (ThemeMode::SpaceUse, true) => "经营空间（按业态）",
            (ThemeMode::TermLeft, true) => "经营空间（按剩余经营年限）",
            (ThemeMode::SpaceUse, false) => "Operating spaces by use",
            (ThemeMode::TermLeft, false) => "Operating spaces by years of term left",
            (ThemeMode::Kind, false) => "By kind",
            (ThemeMode::Status, false) => "By item status",
            (ThemeMode::Category, false) => "By item category",
            (ThemeMode::Funding, false) => "By funding source",
            (ThemeMode::Consent, false) => "By residents' consent",
        }
    }

    /// The label of a legend entry (a machine name from the map's legend, `render::theme::legend`).
    pub fn legend_label(&self, name: &str) -> &'static str {
        Status::ALL
            .iter()
            .find(|s| s.as_str() == name)
            .map(|s| self.status(*s))
            .or_else(|| Category::ALL.iter().find(|c| c.as_str() == name).map(|c| self.category(*c)))
            .or_else(|| FundingSource::ALL.iter().find(|s| s.as_str() == name).map(|s| self.source(*s)))
            .or_else(|| self.consent_label(name))
            .or_else(|| self.space_label(name))
            .unwrap_or("")
    }

    /// The operating-space maps' legend entries and muted entry (`render::theme::legend`, `muted_entry`).
    fn space_label(&self, name: &str) -> Option<&'static str> {
        let zh = self.zh();
        if let Some((_, z, e)) = crate::model::operations::USES.iter().find(|(c, _, _)| *c == name) {
            return Some(if zh { z } else { e });
        }
        Some(match name {
            "use_other" if zh => "其他业态",
            "use_other" => "Other uses",
            "term_ended" if zh => "经营权已到期",
            "term_ended" => "Term ended",
            "term_to_5" if zh => "剩余1–5年",
            "term_to_5" => "1–5 years left",
            "term_to_10" if zh => "剩余6–10年",
            "term_to_10" => "6–10 years left",
            "term_to_15" if zh => "剩余11–15年",
            "term_to_15" => "11–15 years left",
            "term_over_15" if zh => "剩余15年以上",
            "term_over_15" => "Over 15 years left",
            "no_space" if zh => "非经营空间",
            "no_space" => "Not an operating space",
            _ => return None,
        })
    }

    /// The label of the consent map's matter chooser.
    pub fn consent_matter_label(&self) -> &'static str {
        if self.zh() { "表决事项" } else { "Matter" }
    }

    /// The consent map's legend entries and the muted entries (`render::theme::legend`, `muted_entry`).
    fn consent_label(&self, name: &str) -> Option<&'static str> {
        let zh = self.zh();
        Some(match name {
            "no_items" => self.no_items,
            "consent_under_quarter" if zh => "同意不足1/4",
            "consent_under_quarter" => "Under 1/4 agree",
            "consent_to_half" if zh => "1/4至1/2（未过半）",
            "consent_to_half" => "1/4 to 1/2 (not over half)",
            "consent_over_half" if zh => "过半，不足2/3",
            "consent_over_half" => "Over 1/2, under 2/3",
            "consent_two_thirds" if zh => "2/3至3/4（不含）",
            "consent_two_thirds" => "2/3 to under 3/4",
            "consent_three_quarters" if zh => "3/4及以上",
            "consent_three_quarters" => "3/4 or more",
            "consent_no_votes" if zh => "尚无表决",
            "consent_no_votes" => "No votes yet",
            "consent_outside" if zh => "不在表决范围",
            "consent_outside" => "Not in the matter's scope",
            _ => return None,
        })
    }

    /// What the counts beside a legend's entries count, said after its heading.
    pub fn counts_note(&self, mode: ThemeMode) -> &'static str {
        match mode {
            ThemeMode::SpaceUse | ThemeMode::TermLeft => self.legend_spaces_note,
            _ => self.legend_counts_note,
        }
    }

    /// The heading of a thematic map's legend, one line each: the mode's name; for
    /// the consent map the matter's title, its rule (the share that must agree,
    /// of whom) and PASSED / NOT PASSED with the counts of `model::consent::tally`
    /// — the screen, print maps, handouts and presentations all say it so.
    /// `matter`: the one asked for (else the plan's first, `model::theme_mode::consent_matter`).
    pub fn legend_heading(&self, plan: &crate::model::Plan, mode: ThemeMode, matter: Option<&str>) -> Vec<String> {
        use crate::model::consent::{Base, tally};
        if mode != ThemeMode::Consent {
            return vec![self.theme_mode(mode).to_string()];
        }
        let zh = self.zh();
        let lang = if zh { Lang::Zh } else { Lang::En };
        let consent = &plan.consent;
        let Some(m) = crate::model::theme_mode::consent_matter(consent, matter) else {
            let none = if zh { "本方案尚无表决事项" } else { "The plan has no matters to vote on" };
            return vec![self.theme_mode(mode).to_string(), none.to_string()];
        };
        let t = tally(consent, m);
        let rule = consent.rule(&m.rule);
        let rule_line = match (rule, zh) {
            (Some(r), true) => format!(
                "{}：{}同意 {}（{}）",
                r.name(lang),
                r.participation.map(|p| format!("参与 {}，", p.label())).unwrap_or_default(),
                r.agree.label(),
                if r.agree_of == Base::Participants { "占参与" } else { "占全体" }
            ),
            (Some(r), false) => format!(
                "{}: {}{} of {} agree",
                r.name(lang),
                r.participation.map(|p| format!("{} take part, ", p.label())).unwrap_or_default(),
                r.agree.label(),
                if r.agree_of == Base::Participants { "them" } else { "all" }
            ),
            (None, true) => format!("规则 {} 未定义", m.rule),
            (None, false) => format!("Rule {} is not defined", m.rule),
        };
        let (a, v, n) = (t.agree.households, t.voted.households, t.scope.households);
        let result = match (t.passed, zh) {
            (true, true) => format!("通过：同意{a}户，参与{v}户，共{n}户"),
            (false, true) => format!("未通过：同意{a}户，参与{v}户，共{n}户"),
            (true, false) => format!("PASSED: {a} agree, {v} voted, of {n} households"),
            (false, false) => format!("NOT PASSED: {a} agree, {v} voted, of {n} households"),
        };
        let mut lines = vec![m.title(lang).to_string(), rule_line, result];
        // Not passed: what is still missing (a building may be coloured by a high share of few participants).
        let base = rule.map(|r| r.agree_of).unwrap_or_default();
        lines.extend(t.missing.iter().map(|short| self.consent_words().shortfall(short, base)));
        lines
    }
}

/// The words of plans in a database (File → Open from database… / Save to
/// database…, the read-only banner, publishing and its conflicts), in one language.
pub struct DatabaseWords {
    pub open_db: &'static str,
    pub save_db: &'static str,
    pub location: &'static str,
    pub location_hint: &'static str,
    pub password: &'static str,
    pub list: &'static str,
    pub listing: &'static str,
    pub no_plans: &'static str,
    pub plans_here: &'static str,
    pub open_button: &'static str,
    pub publish_button: &'static str,
    pub replace: &'static str,
    pub needs_password: &'static str,
    pub not_a_location: &'static str,
    pub conflict_title: &'static str,
    pub open_theirs: &'static str,
    pub publish_mine: &'static str,
    pub save_mine_file: &'static str,
    pub keep_editing: &'static str,
    pub discard_warning: &'static str,
    pub discard_and_open: &'static str,
    pub back: &'static str,
    pub publishing: &'static str,
    pub published: &'static str,
    pub publish_failed: &'static str,
    pub revision: &'static str,
    pub still_publishing: &'static str,
}

impl DatabaseWords {
    fn zh(&self) -> bool {
        std::ptr::eq(self, &DATABASE_ZH)
    }

    /// The banner over a plan the database role may only read.
    pub fn read_only(&self, user: &str, plan: &str) -> String {
        if self.zh() {
            format!("只读：数据库角色 {user} 不能修改方案 {plan}（仍可另存为文件）")
        } else {
            format!("Read-only: database role {user} may not change plan {plan} (Save as a file still works)")
        }
    }

    /// Save on a read-only plan: what happened (nothing).
    pub fn read_only_save(&self, user: &str, plan: &str) -> String {
        if self.zh() {
            format!("未保存：数据库角色 {user} 不能修改方案 {plan}，数据库中没有任何改动；可用“另存为…”保存为文件")
        } else {
            format!(
                "Not saved: database role {user} may not change plan {plan}; nothing changed in the database. \
                 Save as… writes a file"
            )
        }
    }

    /// Someone published the plan since it was opened here.
    pub fn changed(&self, plan: &str, by: &str, at: &str) -> String {
        if self.zh() {
            format!("方案 {plan} 在您打开后已被他人在数据库中更改（{by}，{at}），您的修改尚未发布")
        } else {
            format!(
                "Plan {plan} was changed in the database since you opened it ({by}, {at}); your edits are not published"
            )
        }
    }

    /// The server asks for a password and none was given.
    pub fn needs_password_of(&self, server: &str, user: &str) -> String {
        if self.zh() {
            format!("服务器 {server} 要求输入用户 {user} 的密码：在“从数据库打开…”窗口中输入，或写入 ~/.pgpass")
        } else {
            format!(
                "the server {server} asks for the password of user {user}: type it in File → Open from database…, \
                 or put it in ~/.pgpass"
            )
        }
    }

    /// No plan of that name in the database.
    pub fn no_plan(&self, plan: &str, db: &str, others: &[String]) -> String {
        match (self.zh(), others.is_empty()) {
            (true, true) => format!("数据库 {db} 中没有方案 {plan}"),
            (true, false) => format!("数据库 {db} 中没有方案 {plan}（现有方案：{}）", others.join("、")),
            (false, true) => format!("there is no plan {plan} in database {db}"),
            (false, false) => format!("there is no plan {plan} in database {db} (plans there: {})", others.join(", ")),
        }
    }

    /// A plan of that name is already in the database.
    pub fn exists(&self, plan: &str, db: &str) -> String {
        if self.zh() {
            format!("数据库 {db} 中已有方案 {plan}：勾选“替换同名方案”才会覆盖它")
        } else {
            format!(
                "a plan {plan} is already in database {db}: tick “Replace the plan of that name” to publish over it"
            )
        }
    }

    /// The role may not change the plan.
    pub fn read_only_role(&self, user: &str, plan: &str) -> String {
        if self.zh() {
            format!("数据库角色 {user} 不能修改方案 {plan}（该角色只读），数据库中没有任何改动")
        } else {
            format!("database role {user} may not change plan {plan} (read-only for this role); nothing changed")
        }
    }

    /// The server cannot be reached.
    pub fn unreachable(&self, server: &str, why: &str) -> String {
        if self.zh() {
            format!("无法连接数据库服务器 {server}：{why}")
        } else {
            format!("cannot reach the database server {server}: {why}")
        }
    }

    /// The server refused the role (a wrong password, no such role).
    pub fn refused(&self, server: &str, user: &str, why: &str) -> String {
        if self.zh() {
            format!("服务器 {server} 拒绝了用户 {user}：{why}")
        } else {
            format!("the server {server} refused user {user}: {why}")
        }
    }
}

impl Lang {
    /// The words of plans in a database.
    pub fn database_words(self) -> &'static DatabaseWords {
        match self {
            Lang::Zh => &DATABASE_ZH,
            Lang::En => &DATABASE_EN,
        }
    }
}

impl Strings {
    /// The words of plans in a database, in this table's language.
    pub fn database_words(&self) -> &'static DatabaseWords {
        if std::ptr::eq(self, &ZH) { &DATABASE_ZH } else { &DATABASE_EN }
    }
}

pub static DATABASE_ZH: DatabaseWords = DatabaseWords {
    open_db: "从数据库打开…",
    save_db: "保存到数据库…",
    location: "位置 (URI)：",
    location_hint: "postgresql://用户@主机:5432/数据库?plan=方案名",
    password: "密码（可选，仅用于本次连接，不会保存）：",
    list: "列出方案",
    listing: "正在列出方案…",
    no_plans: "该数据库中还没有方案",
    plans_here: "数据库中的方案（点击选用）：",
    open_button: "打开",
    publish_button: "发布",
    replace: "替换同名方案",
    needs_password: "服务器要求输入密码：请在下方输入密码后重试",
    not_a_location: "请填写数据库位置：postgresql://用户@主机:端口/数据库?plan=方案名",
    conflict_title: "方案已被他人更改",
    open_theirs: "打开他们的版本",
    publish_mine: "用我的版本覆盖他们的",
    save_mine_file: "先把我的版本另存为文件…",
    keep_editing: "继续编辑",
    discard_warning: "打开他们的版本会丢失您未保存的修改。",
    discard_and_open: "丢弃我的修改并打开他们的版本",
    back: "返回",
    publishing: "正在发布到",
    published: "已发布到",
    publish_failed: "发布失败",
    revision: "版本",
    still_publishing: "上一次发布还没有完成，请稍候",
};

pub static DATABASE_EN: DatabaseWords = DatabaseWords {
    open_db: "Open from database…",
    save_db: "Save to database…",
    location: "Location (URI):",
    location_hint: "postgresql://USER@HOST:5432/DB?plan=NAME",
    password: "Password (optional; for this connection only, never stored):",
    list: "List plans",
    listing: "Listing plans…",
    no_plans: "No plans in this database yet",
    plans_here: "Plans in the database (click to choose):",
    open_button: "Open",
    publish_button: "Publish",
    replace: "Replace the plan of that name",
    needs_password: "The server asks for a password: type it below and try again",
    not_a_location: "Give a database location: postgresql://USER@HOST:PORT/DB?plan=NAME",
    conflict_title: "The plan was changed by someone else",
    open_theirs: "Open theirs",
    publish_mine: "Publish mine over theirs",
    save_mine_file: "Save mine as a file first…",
    keep_editing: "Keep editing",
    discard_warning: "Opening theirs loses your unsaved edits.",
    discard_and_open: "Discard my edits and open theirs",
    back: "Back",
    publishing: "Publishing to",
    published: "Published to",
    publish_failed: "Could not publish",
    revision: "revision",
    still_publishing: "The last publish has not finished yet; please wait",
};
