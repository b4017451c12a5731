//! The PostgreSQL/PostGIS test server for the team-plan tests: `.ci/run`
//! starts a throwaway one with `tools/pg_local.sh` and puts its URI in
//! `RP_TEST_PG`. Include with `#[path = "common/pg.rs"] mod pg;` (no egui here).
#![allow(dead_code)]

use renewal_planner::io::postgis;

/// The test server's URI base (`postgresql://postgres@/rp?host=…&port=…`), or
/// `None` with a loud SKIPPED line naming what was not checked; under `CI=true` the test fails.
pub fn server(test: &str) -> Option<String> {
    match std::env::var("RP_TEST_PG").ok().filter(|s| !s.is_empty()) {
        Some(s) => Some(s),
        None => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must start the PostgreSQL test server (tools/pg_local.sh, RP_TEST_PG)"
            );
            eprintln!(
                "SKIPPED: {test}: no PostgreSQL test server (start one with `tools/pg_local.sh start` and set RP_TEST_PG \
                 to the URI it prints)"
            );
            None
        }
    }
}

/// The URI of plan `plan` on the test server, as user `user` (`None`: the superuser).
pub fn uri(base: &str, plan: &str, user: Option<&str>) -> String {
    let mut u = base.to_string();
    if let Some(user) = user {
        u = u.replacen("postgres@", &format!("{user}@"), 1);
    }
    format!("{u}&plan={plan}")
}

/// A superuser connection, for setting up roles and looking behind the app's back.
pub fn admin(base: &str) -> postgres::Client {
    let at = postgis::Location::parse(&uri(base, "x", None)).expect("uri");
    postgis::connect(&at, None).expect("the test server")
}

/// Removes a plan (and its QGIS styles) left by an earlier run.
pub fn drop_plan(base: &str, plan: &str) {
    admin(base)
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS \"{plan}\" CASCADE; \
             DO $$ BEGIN IF to_regclass('public.layer_styles') IS NOT NULL THEN \
             DELETE FROM public.layer_styles WHERE f_table_schema = '{plan}'; END IF; END $$;"
        ))
        .expect("drop");
}

/// A login role that may read plan `plan` but not change it (made if missing).
pub fn grant_viewer(base: &str, role: &str, plan: &str) {
    admin(base)
        .batch_execute(&format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN \
             CREATE ROLE {role} LOGIN; END IF; END $$; \
             GRANT USAGE ON SCHEMA {plan} TO {role}; GRANT SELECT ON ALL TABLES IN SCHEMA {plan} TO {role};"
        ))
        .expect("a read-only role");
}

/// `rp_password_test`, which `tools/pg_local.sh` makes give its password ("right horse"), reading plan `plan`.
pub fn grant_password_role(base: &str, plan: &str) {
    admin(base)
        .batch_execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rp_password_test') THEN \
             CREATE ROLE rp_password_test LOGIN; END IF; END $$; \
             SET password_encryption = 'scram-sha-256'; ALTER ROLE rp_password_test PASSWORD 'right horse';",
        )
        .expect("the password role");
    grant_viewer(base, "rp_password_test", plan);
}

/// Drops the server's connections of one application (`application_name=` in the URI); how many.
pub fn drop_connections(base: &str, application: &str) -> i64 {
    admin(base)
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
            &[&application],
        )
        .expect("terminated")
        .get(0)
}

/// Plan `name` published afresh from Jinsong (over one left by an earlier run); its location.
pub fn fresh_jinsong(base: &str, name: &str) -> postgis::Location {
    drop_plan(base, name);
    let at = postgis::Location::parse(&uri(base, name, None)).expect("uri");
    postgis::publish(&renewal_planner::io::load_jinsong().plan, &at, &postgis::Publish::default()).expect("published");
    at
}
