//! Editing a database plan together: each edit is committed as it is made,
//! with an entry in the plan's edit log (database user, time, what, and the
//! objects it touched: `feature:KEY`, `item:ID`, `parts` for the plan's other
//! parts, `plan` for a whole publish).
//!
//! A [`Session`] remembers the last entry it has seen. Pushing an edit first
//! looks, under the plan's lock, for entries by others since then that touched
//! the same objects: if there are any, nothing is written and the planner gets
//! a [`Conflict`] with both versions (theirs read from the database); otherwise
//! only the touched objects' rows are replaced (the plan file's rows, made by
//! the plan file's own writer from a plan holding just those objects, so they
//! are the rows a whole publish would write). Pulling reads the entries by
//! others since the last one seen and the current rows of what they touched,
//! in one snapshot, through the plan file's own reader; [`remote_edit`] makes
//! them an [`Edit`] for the open plan. Sessions `LISTEN` for the plan's
//! notifications, so others' edits can be pulled as soon as they commit.
//! An [`Outbox`] keeps edits that could not be sent (the connection dropped)
//! and sends them, merged, once a new session is open.

use std::collections::BTreeSet;
use std::time::Duration;

use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;

use super::{
    DbError, LOCK_KEY, Location, connect, copy_table, geometry_type, ident, log_entry, log_says_what_it_touched,
    read_table, work_error,
};
use crate::edit::{Edit, EditLabel};
use crate::error::SaveError;
use crate::io::{LoadError, gpkg};
use crate::model::{Feature, FeatureId, Item, Plan};

/// The plan's parts other than features and items: written whole when any of them changes.
const PARTS: [&str; 11] = [
    "rp_meta",
    "rp_catalogue_additions",
    "rp_stories",
    "rp_photos",
    "rp_basemaps",
    "rp_households",
    "rp_matters",
    "rp_consent_rules",
    "rp_votes",
    "rp_operating_spaces",
    "rp_cash_flows",
];

/// What a local edit changed, by identity: features by key (removed ones
/// too, and those whose items changed), items by id, and whether the plan's
/// other parts (metadata, stories, photos, basemaps, residents' register,
/// ledger, catalogue additions) changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Touched {
    pub features: BTreeSet<String>,
    pub items: BTreeSet<String>,
    pub parts: bool,
}

impl Touched {
    pub fn is_empty(&self) -> bool {
        self.features.is_empty() && self.items.is_empty() && !self.parts
    }

    /// Adds what another edit touched.
    pub fn merge(&mut self, other: &Touched) {
        self.features.extend(other.features.iter().cloned());
        self.items.extend(other.items.iter().cloned());
        self.parts |= other.parts;
    }

    /// What an edit applied to `plan` touched: `applied` is what
    /// [`Edit::apply`] returned, `before` the plan's parts before it (compared
    /// to tell whether they changed) and `items_before` the features the
    /// touched items named before it.
    pub fn of(plan: &Plan, applied: &crate::edit::Applied, parts_changed: bool, items_before: &[String]) -> Touched {
        let mut t = Touched { parts: parts_changed, ..Touched::default() };
        for id in &applied.touched {
            if let Some(k) = plan.key(*id) {
                t.features.insert(k);
            }
        }
        t.items.extend(applied.items.iter().cloned());
        t.features.extend(items_before.iter().cloned());
        t
    }

    fn tags(&self) -> Vec<String> {
        let mut tags: Vec<String> = self.features.iter().map(|k| format!("feature:{k}")).collect();
        tags.extend(self.items.iter().map(|i| format!("item:{i}")));
        if self.parts {
            tags.push("parts".into());
        }
        tags
    }

    fn of_tags(tags: &[String]) -> Touched {
        let mut t = Touched::default();
        for tag in tags {
            if let Some(k) = tag.strip_prefix("feature:") {
                t.features.insert(k.to_string());
            } else if let Some(i) = tag.strip_prefix("item:") {
                t.items.insert(i.to_string());
            } else {
                t.parts = true;
            }
        }
        t
    }
}

/// An entry of a plan's edit log: who changed what, when.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub seq: i64,
    /// The database user.
    pub user: String,
    /// `YYYY-MM-DD HH:MM:SS`, the server's time.
    pub at: String,
    pub what: String,
    pub touched: Vec<String>,
}

impl Entry {
    /// A whole plan published over the one being edited.
    pub fn is_publish(&self) -> bool {
        self.touched.iter().any(|t| t == "plan")
    }
}

/// The database's current version of some objects (`None`: removed there).
#[derive(Clone, Debug, Default)]
pub struct Objects {
    pub features: Vec<(String, Option<Feature>)>,
    pub items: Vec<(String, Option<Item>)>,
    /// The plan's other parts as the database has them, when they are among the objects.
    pub parts: Option<Box<Plan>>,
}

impl Objects {
    /// Only the objects whose database version differs from the plan's: a pull also
    /// brings features whose rows were rewritten for another object's sake (the status
    /// columns of the features an edited item names), which the planner did not see change.
    pub fn differing(self, plan: &Plan) -> Objects {
        let mine = |key: &str| plan.by_key(key).and_then(|id| plan.get(id));
        Objects {
            features: self.features.into_iter().filter(|(k, theirs)| mine(k) != theirs.as_ref()).collect(),
            items: self.items.into_iter().filter(|(i, theirs)| plan.items.get(i) != theirs.as_ref()).collect(),
            parts: self.parts,
        }
    }
}

/// Edits by others that conflict with a local one: theirs, and their version
/// of what both touched. Nothing of the local edit was written.
#[derive(Clone, Debug)]
pub struct Conflict {
    pub theirs: Vec<Entry>,
    pub objects: Objects,
}

/// Why a push did not go through.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("{} changed the same objects since they were read here", who(&.0.theirs))]
    Conflict(Box<Conflict>),
    #[error("{0}")]
    Db(#[from] DbError),
}

fn who(entries: &[Entry]) -> String {
    let users: BTreeSet<&str> = entries.iter().map(|e| e.user.as_str()).collect();
    users.into_iter().collect::<Vec<_>>().join(", ")
}

impl PushError {
    /// The connection is gone (or never came): the edit should wait in an [`Outbox`].
    pub fn is_offline(&self) -> bool {
        matches!(self, PushError::Db(DbError::Unreachable { .. }))
    }
}

/// What a pull found.
#[derive(Debug)]
pub enum Pulled {
    Nothing,
    /// Others' edits and the current version of what they touched.
    Changes {
        entries: Vec<Entry>,
        objects: Objects,
    },
    /// Someone published a whole plan over this one: open it again.
    Republished {
        entries: Vec<Entry>,
    },
}

/// A connection editing one plan, listening for others' edits.
pub struct Session {
    client: Client,
    at: Location,
    /// The last edit log entry seen.
    seen: i64,
    /// This session's own entries after `seen` (never pulled back, never a conflict).
    own: BTreeSet<i64>,
}

impl Session {
    /// Opens a session on a plan read at revision `seen` (`Opened::revision`).
    pub fn open(at: &Location, password: Option<&str>, seen: i64) -> Result<Session, DbError> {
        let mut client = connect(at, password)?;
        let err = |e| work_error(at, e);
        if !log_says_what_it_touched(&mut client, &at.plan).map_err(err)? {
            return Err(DbError::Other(format!(
                "plan {} was published by an earlier Renewal Planner whose edit log does not say what each edit touched; \
                 publish it again (export … --replace) to edit it together",
                at.plan
            )));
        }
        client.batch_execute("LISTEN renewal_planner").map_err(err)?;
        Ok(Session { client, at: at.clone(), seen, own: BTreeSet::new() })
    }

    /// The last edit log entry this session has seen.
    pub fn seen(&self) -> i64 {
        self.seen
    }

    /// Commits what a local edit touched, as `plan` now has it, with `what`
    /// in the edit log; returns the entry's number. A conflict writes nothing.
    pub fn push(&mut self, plan: &Plan, touched: &Touched, what: &str) -> Result<i64, PushError> {
        let at = self.at.clone();
        let err = |e: postgres::Error| PushError::Db(work_error(&at, e));
        let schema = ident(&at.plan);
        let mut touched = touched.clone();
        // A changed item changes the status columns of the features it names.
        for id in &touched.items.clone() {
            if let Some(i) = plan.items.get(id) {
                touched.features.extend(i.features.iter().cloned());
            }
        }
        let tags = touched.tags();
        let mine = self.own.clone();
        let seen = self.seen;
        let mut tx = self.client.transaction().map_err(err)?;
        tx.execute(&format!("SELECT pg_advisory_xact_lock({LOCK_KEY})"), &[&at.plan]).map_err(err)?;
        let theirs: Vec<Entry> = entries_since(&mut tx, &schema, seen)
            .map_err(err)?
            .into_iter()
            .filter(|e| !mine.contains(&e.seq))
            .filter(|e| e.is_publish() || e.touched.iter().any(|t| tags.contains(t)))
            .collect();
        if !theirs.is_empty() {
            let mut both = Touched::default();
            for e in &theirs {
                both.merge(&Touched::of_tags(&e.touched));
            }
            both.features.retain(|k| touched.features.contains(k));
            both.items.retain(|i| touched.items.contains(i));
            both.parts &= touched.parts;
            let objects = read_objects(&mut tx, &at, &both).map_err(|e| PushError::Db(load_to_db(e)))?;
            tx.rollback().map_err(err)?;
            return Err(PushError::Conflict(Box::new(Conflict { theirs, objects })));
        }
        let (part, slots) = partial_plan(plan, &touched);
        let mem = gpkg::write_to_memory(&part).map_err(DbError::from)?;
        let sql = |e: rusqlite::Error| PushError::Db(DbError::Save(SaveError::from(e)));
        // Only the touched items' rows; the others were there for the features' status columns.
        mem.execute_batch("CREATE TEMP TABLE keep (id TEXT PRIMARY KEY)").map_err(sql)?;
        for id in &touched.items {
            mem.execute("INSERT INTO keep VALUES (?1)", [id]).map_err(sql)?;
        }
        mem.execute_batch(
            "DELETE FROM rp_items WHERE id NOT IN (SELECT id FROM keep); \
             DELETE FROM rp_item_history WHERE item_id NOT IN (SELECT id FROM keep);",
        )
        .map_err(sql)?;
        for (key, slot) in &slots {
            mem.execute("UPDATE rp_features SET slot = ?1 WHERE feature_key = ?2", rusqlite::params![slot, key])
                .map_err(sql)?;
        }
        let keys: Vec<String> = touched.features.iter().cloned().collect();
        let items: Vec<String> = touched.items.iter().cloned().collect();
        for table in ["rp_features", "before", "after"] {
            tx.execute(&format!("DELETE FROM {schema}.{} WHERE feature_key = ANY($1)", ident(table)), &[&keys])
                .map_err(err)?;
            // Row numbers after the database's own: fids stay unique.
            let max: i64 = tx
                .query_one(&format!("SELECT coalesce(max(fid), 0) FROM {schema}.{}", ident(table)), &[])
                .map_err(err)?
                .get(0);
            mem.execute_batch(&format!(
                "UPDATE {t} SET fid = -fid; UPDATE {t} SET fid = {max} - fid;",
                t = ident(table)
            ))
            .map_err(sql)?;
        }
        tx.execute(&format!("DELETE FROM {schema}.rp_items WHERE id = ANY($1)"), &[&items]).map_err(err)?;
        tx.execute(&format!("DELETE FROM {schema}.rp_item_history WHERE item_id = ANY($1)"), &[&items]).map_err(err)?;
        let geometry = geometry_type(&mut tx).map_err(err)?;
        let mut tables = vec!["rp_features", "before", "after", "rp_items", "rp_item_history"];
        if touched.parts {
            for t in PARTS {
                tx.batch_execute(&format!("DELETE FROM {schema}.{}", ident(t))).map_err(err)?;
            }
            tables.extend(PARTS);
        }
        for t in tables {
            copy_table(&mut tx, &mem, &at, t, &geometry)?;
        }
        let detail = format!("{} features, {} items", keys.len(), items.len());
        let seq = log_entry(&mut tx, &at.plan, what, &detail, &tags).map_err(err)?;
        let between: i64 = tx
            .query_one(
                &format!("SELECT count(*) FROM {schema}.rp_edit_log WHERE seq > $1 AND seq < $2"),
                &[&seen, &seq],
            )
            .map_err(err)?
            .get(0);
        tx.commit().map_err(err)?;
        let others_between = between > mine.iter().filter(|s| **s > seen).count() as i64;
        if others_between {
            self.own.insert(seq);
        } else {
            self.seen = seq;
            self.own.clear();
        }
        Ok(seq)
    }

    /// Others' edits since the last entry seen, and the current version of
    /// what they touched, in one snapshot.
    pub fn pull(&mut self) -> Result<Pulled, DbError> {
        let at = self.at.clone();
        let err = |e: postgres::Error| work_error(&at, e);
        let schema = ident(&at.plan);
        self.client.execute(&format!("SELECT pg_advisory_lock_shared({LOCK_KEY})"), &[&at.plan]).map_err(err)?;
        let result = (|| -> Result<(Pulled, Option<i64>), DbError> {
            let mut tx = self
                .client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(err)?;
            let all = entries_since(&mut tx, &schema, self.seen).map_err(err)?;
            let last = all.last().map(|e| e.seq);
            let entries: Vec<Entry> = all.into_iter().filter(|e| !self.own.contains(&e.seq)).collect();
            let pulled = if entries.is_empty() {
                Pulled::Nothing
            } else if entries.iter().any(Entry::is_publish) {
                Pulled::Republished { entries }
            } else {
                let mut touched = Touched::default();
                for e in &entries {
                    touched.merge(&Touched::of_tags(&e.touched));
                }
                let objects = read_objects(&mut tx, &at, &touched).map_err(load_to_db)?;
                Pulled::Changes { entries, objects }
            };
            tx.commit().map_err(err)?;
            Ok((pulled, last))
        })();
        let unlock = self.client.execute(&format!("SELECT pg_advisory_unlock_shared({LOCK_KEY})"), &[&at.plan]);
        let (pulled, last) = result?;
        unlock.map_err(err)?;
        // After a whole publish the plan must be opened again: until then, pushes conflict with it.
        if matches!(pulled, Pulled::Republished { .. }) {
            return Ok(pulled);
        }
        if let Some(last) = last {
            self.seen = self.seen.max(last);
            let seen = self.seen;
            self.own.retain(|s| *s > seen);
        }
        Ok(pulled)
    }

    /// Waits up to `timeout` for a notification that this plan changed; true if one came.
    pub fn wait(&mut self, timeout: Duration) -> Result<bool, DbError> {
        let prefix = format!("{}:", self.at.plan);
        let at = self.at.clone();
        let mut notes = self.client.notifications();
        let mut it = notes.timeout_iter(timeout);
        while let Some(n) = it.next().map_err(|e| work_error(&at, e))? {
            if n.payload().starts_with(&prefix) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

fn load_to_db(e: LoadError) -> DbError {
    match e {
        LoadError::Database(d) => d,
        e => DbError::Other(e.to_string()),
    }
}

fn entries_since(tx: &mut postgres::Transaction, schema: &str, seen: i64) -> Result<Vec<Entry>, postgres::Error> {
    Ok(tx
        .query(
            &format!(
                "SELECT seq, db_user, to_char(at, 'YYYY-MM-DD HH24:MI:SS'), what, touched FROM {schema}.rp_edit_log \
                 WHERE seq > $1 ORDER BY seq"
            ),
            &[&seen],
        )?
        .iter()
        .map(|r| Entry { seq: r.get(0), user: r.get(1), at: r.get(2), what: r.get(3), touched: r.get(4) })
        .collect())
}

/// A plan holding only what an edit touched (and the items naming those
/// features, for their status columns), and the touched features' slots.
fn partial_plan(plan: &Plan, touched: &Touched) -> (Plan, Vec<(String, i64)>) {
    let mut part = Plan::new(plan.meta.clone());
    let mut slots = Vec::new();
    for key in &touched.features {
        if let Some(id) = plan.by_key(key)
            && let Some(f) = plan.get(id)
        {
            part.push(f.clone());
            slots.push((key.clone(), i64::from(id.0)));
        }
    }
    for (id, item) in &plan.items {
        if touched.items.contains(id) || item.features.iter().any(|k| touched.features.contains(k)) {
            part.items.insert(id.clone(), item.clone());
        }
    }
    if touched.parts {
        part.catalogue_additions = plan.catalogue_additions.clone();
        part.stories = plan.stories.clone();
        part.basemaps = plan.basemaps.clone();
        part.consent = plan.consent.clone();
        part.operations = plan.operations.clone();
        part.photos = plan.photos.clone();
        for h in part.consent.households.values_mut() {
            *h = h.without_personal();
        }
    }
    (part, slots)
}

/// The database's current version of the objects `touched` names, read by the plan file's reader.
fn read_objects(tx: &mut postgres::Transaction, at: &Location, touched: &Touched) -> Result<Objects, LoadError> {
    let sql = |e: rusqlite::Error| LoadError::Malformed { place: "plan in memory".into(), message: e.to_string() };
    let mem = gpkg::empty_in_memory().map_err(sql)?;
    let keys: Vec<String> = touched.features.iter().cloned().collect();
    let items: Vec<String> = touched.items.iter().cloned().collect();
    read_table(tx, &mem, at, "rp_meta", None)?;
    read_table(tx, &mem, at, "rp_features", Some(("feature_key", &keys)))?;
    read_table(tx, &mem, at, "rp_items", Some(("id", &items)))?;
    read_table(tx, &mem, at, "rp_item_history", Some(("item_id", &items)))?;
    if touched.parts {
        for t in PARTS.iter().filter(|t| **t != "rp_meta") {
            read_table(tx, &mem, at, t, None)?;
        }
    }
    let plan = gpkg::read_plan(&mem)?.plan;
    let features = keys.iter().map(|k| (k.clone(), plan.by_key(k).and_then(|id| plan.get(id)).cloned())).collect();
    let items = items.iter().map(|i| (i.clone(), plan.items.get(i).cloned())).collect();
    Ok(Objects { features, items, parts: touched.parts.then(|| Box::new(plan)) })
}

/// The edit that makes the open plan hold the database's version of `objects`:
/// features replaced field by field (kind, geometry, change, each property),
/// added in a new slot or removed; items put; the other parts set whole. Applied
/// through `Document::apply` it updates the index and the drawing as a local edit does.
pub fn remote_edit(plan: &Plan, objects: &Objects) -> Edit {
    let label = EditLabel::FromDatabase;
    let mut edits = Vec::new();
    let mut next = plan.id_bound();
    for (key, theirs) in &objects.features {
        let id = plan.by_key(key);
        let mine = id.and_then(|id| plan.get(id));
        match (id, mine, theirs) {
            (Some(id), Some(mine), Some(theirs)) => edits.extend(feature_edits(id, mine, theirs)),
            (Some(id), Some(_), None) => edits.push(Edit::RemoveFeature { id, label }),
            (Some(id), None, Some(theirs)) => {
                edits.push(Edit::AddFeature { id, feature: Box::new(theirs.clone()), label });
            }
            (None, _, Some(theirs)) => {
                let id = FeatureId(u32::try_from(next).unwrap_or(u32::MAX));
                next += 1;
                edits.push(Edit::AddFeature { id, feature: Box::new(theirs.clone()), label });
            }
            _ => {}
        }
    }
    for (id, theirs) in &objects.items {
        if plan.items.get(id) != theirs.as_ref() {
            edits.push(Edit::PutItem { id: id.clone(), item: theirs.clone().map(Box::new), label });
        }
    }
    if let Some(p) = &objects.parts {
        if p.stories != plan.stories {
            edits.push(Edit::SetStories { stories: p.stories.clone(), label });
        }
        if p.basemaps != plan.basemaps {
            edits.push(Edit::SetBasemaps { basemaps: p.basemaps.clone() });
        }
        if p.meta.title_block != plan.meta.title_block {
            edits.push(Edit::SetTitleBlock { block: p.meta.title_block.clone() });
        }
        // Owners' names and phones never leave this machine: the open plan keeps its own.
        let mut consent = p.consent.clone();
        for (id, h) in consent.households.iter_mut() {
            if let Some(mine) = plan.consent.households.get(id)
                && h.without_personal() == mine.without_personal()
            {
                *h = mine.clone();
            }
        }
        if consent != plan.consent {
            edits.push(Edit::SetConsent { consent: Box::new(consent), label });
        }
        if p.operations != plan.operations {
            edits.push(Edit::SetOperations { operations: Box::new(p.operations.clone()), label });
        }
        for (id, photo) in &p.photos {
            if plan.photos.get(id) != Some(photo) {
                edits.push(Edit::PutPhoto { id: id.clone(), photo: Some(Box::new(photo.clone())) });
            }
        }
        for id in plan.photos.keys().filter(|id| !p.photos.contains_key(*id)) {
            edits.push(Edit::PutPhoto { id: id.clone(), photo: None });
        }
        for e in &p.catalogue_additions {
            if !plan.catalogue_additions.contains(e) {
                edits.push(Edit::PutCatalogueEntry { id: e.id.clone(), entry: Some(Box::new(e.clone())) });
            }
        }
        for e in plan.catalogue_additions.iter().filter(|e| !p.catalogue_additions.iter().any(|t| t.id == e.id)) {
            edits.push(Edit::PutCatalogueEntry { id: e.id.clone(), entry: None });
        }
    }
    Edit::Batch { label, edits }
}

/// One feature made like the database's: only what differs.
fn feature_edits(id: FeatureId, mine: &Feature, theirs: &Feature) -> Vec<Edit> {
    let label = EditLabel::FromDatabase;
    let mut edits = Vec::new();
    if mine.kind != theirs.kind {
        edits.push(Edit::SetKind { changes: vec![(id, theirs.kind)] });
    }
    if mine.geometry != theirs.geometry {
        edits.push(Edit::SetGeometry { feature: id, geometry: Box::new(theirs.geometry.clone()), label });
    }
    if mine.change != theirs.change {
        edits.push(Edit::SetChange { feature: id, change: theirs.change.clone(), label });
    }
    if mine.properties != theirs.properties {
        let (a, b) = (mine.properties.to_map(), theirs.properties.to_map());
        for (k, v) in &b {
            if a.get(k) != Some(v) {
                edits.push(Edit::SetProperty { feature: id, key: k.clone(), value: Some(v.clone()) });
            }
        }
        for k in a.keys().filter(|k| !b.contains_key(*k)) {
            edits.push(Edit::SetProperty { feature: id, key: k.clone(), value: None });
        }
    }
    edits
}

/// Edits that could not be sent (the connection dropped): what they touched,
/// merged, and their words for the edit log. The open plan (and its
/// autosave) holds the edits themselves; [`Outbox::send`] commits the plan's
/// current version of everything they touched once a session is open again.
#[derive(Clone, Debug, Default)]
pub struct Outbox {
    pub touched: Touched,
    pub what: Vec<String>,
}

impl Outbox {
    pub fn is_empty(&self) -> bool {
        self.touched.is_empty()
    }

    pub fn add(&mut self, touched: &Touched, what: &str) {
        self.touched.merge(touched);
        self.what.push(what.to_string());
    }

    /// Sends what waits, as one entry; on success the outbox is empty. A
    /// conflict leaves it as it was, for the planner to resolve.
    pub fn send(&mut self, session: &mut Session, plan: &Plan) -> Result<Option<i64>, PushError> {
        if self.is_empty() {
            return Ok(None);
        }
        let what = format!("{} (sent on reconnecting)", self.what.join("; "));
        let seq = session.push(plan, &self.touched, &what)?;
        *self = Outbox::default();
        Ok(Some(seq))
    }
}
