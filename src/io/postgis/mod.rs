//! Plans in PostgreSQL/PostGIS, for a team: a plan lives in a schema of its
//! own, addressed by a libpq URI with the app's `plan` parameter
//! (`postgresql://USER@HOST:PORT/DB?plan=NAME`; every other parameter goes to
//! the connection unchanged).
//!
//! The schema holds exactly the plan file's tables (`io::gpkg`): `before` and
//! `after` with a PostGIS `geometry(Geometry, 4326)` column and the same
//! readable columns, so QGIS and GDAL open them directly, and the lossless
//! `rp_*` tables, with `rp_meta.schema_version`. The layers' QGIS styles are
//! rows of `public.layer_styles` (QGIS's own convention for PostgreSQL).
//! `rp_edit_log` records who published or changed the plan, and when.
//!
//! A plan is published from the plan file written in memory, table by table
//! (binary `COPY`), in one transaction; it is read back into an empty plan
//! file in memory and read by the same code as a file. So a database plan
//! holds what a file holds, and old schemas migrate as files do.
//!
//! Publishers take the plan's advisory lock exclusively for their
//! transaction; readers take it shared for the session before their snapshot
//! (`REPEATABLE READ`), so a reader sees the old plan or the new one, never a
//! mix, and a publisher killed half way leaves the old one whole (the server
//! rolls its transaction back). Passwords come from the URI, `PGPASSWORD`,
//! `~/.pgpass` (or `PGPASSFILE`), or the caller (a prompt); they are never
//! stored in a plan and never shown.

use std::fmt;
use std::path::Path;

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::SqlState;
use postgres::types::{IsNull, Kind as PgKind, ToSql, Type, to_sql_checked};
use postgres::{Client, Config, NoTls};
use rusqlite::types::{Value as Sql, ValueRef};

use super::{LoadError, Loaded, gpkg, wkb};
use crate::error::SaveError;
use crate::model::Plan;

/// True when `s` is a database location rather than a file path.
pub fn is_uri(s: impl AsRef<std::ffi::OsStr>) -> bool {
    let s = s.as_ref().to_string_lossy();
    s.starts_with("postgresql://") || s.starts_with("postgres://")
}

/// Why a database plan could not be opened or published: one line each,
/// naming the server, database or plan.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URI itself is wrong (no `plan`, a bad name, an unknown parameter).
    #[error("{0}")]
    Location(String),
    #[error("cannot reach the database server {server}: {why}")]
    Unreachable { server: String, why: String },
    #[error("the server {server} refused user {user}: {why}")]
    Refused { server: String, user: String, why: String },
    /// The server asks for a password and none was given or found.
    #[error(
        "the server {server} asks for the password of user {user}: put it in ~/.pgpass \
         (HOST:PORT:DATABASE:USER:PASSWORD, mode 0600) or type it when asked"
    )]
    NeedsPassword { server: String, user: String },
    /// TLS was asked for and the server's certificate is not one to trust (or cannot be checked).
    #[error(
        "the server {server}'s certificate is not trusted: {why} (name its authority with sslrootcert=FILE, or use \
         sslmode=require to encrypt without checking it)"
    )]
    Certificate { server: String, why: String },
    /// `sslmode=require` or `verify-*` and the server does not offer TLS.
    #[error("the server {server} does not offer TLS: use sslmode=prefer or disable, or reach it by SSH tunnel or VPN")]
    NoTls { server: String },
    #[error("there is no database {db} on {server}")]
    NoDatabase { server: String, db: String },
    #[error(
        "PostGIS is not installed in database {db}: its owner can add it with CREATE EXTENSION postgis \
         (Debian: apt install postgresql-15-postgis-3)"
    )]
    NoPostgis { db: String },
    #[error("there is no plan {plan} in database {db}{}", list_plans(.others))]
    NoPlan { plan: String, db: String, others: Vec<String> },
    #[error("a plan {plan} is already in database {db}: publish over it with --replace")]
    Exists { plan: String, db: String },
    #[error("schema {plan} in database {db} is not a Renewal Planner plan (it has no rp_meta table); it is left alone")]
    NotAPlan { plan: String, db: String },
    #[error(
        "plan {plan} was written by a newer Renewal Planner (plan schema {found}); this version writes schema {ours} \
         and will not replace it"
    )]
    Newer { plan: String, found: i64, ours: i64 },
    #[error(
        "database role {user} may not read plan {plan} ({why}); its owner can GRANT USAGE and SELECT (see the README)"
    )]
    MayNotRead { user: String, plan: String, why: String },
    #[error("database role {user} may not change plan {plan}: it is read-only for this role ({why})")]
    ReadOnly { user: String, plan: String, why: String },
    /// Someone published or changed the plan since it was opened here.
    #[error(
        "plan {plan} was changed in the database since it was opened here ({by}, {at}); open it again to see \
         their changes, or publish over them with --replace"
    )]
    Changed { plan: String, by: String, at: String },
    #[error("{0}")]
    Save(#[from] SaveError),
    #[error("the database: {0}")]
    Other(String),
}

fn list_plans(others: &[String]) -> String {
    if others.is_empty() { String::new() } else { format!(" (plans there: {})", others.join(", ")) }
}

/// Where a plan lives: the connection and the plan's name (its schema).
#[derive(Clone)]
pub struct Location {
    config: Config,
    /// TLS to a server reached over TCP (libpq's `sslmode`; never over a unix socket).
    tls: TlsMode,
    /// `sslrootcert=FILE`: the certificate authorities (PEM) that sign the server's certificate.
    root_cert: Option<std::path::PathBuf>,
    /// The plan's name, which is its schema.
    pub plan: String,
    /// The URI as given, without any password: what messages and recent plans show.
    shown: String,
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the password: only what `Display` shows.
        write!(f, "Location({})", self.shown)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

/// A URI's percent-encoded text (`%E5%8A%B2` → 劲), as libpq decodes it (`+` stays `+`).
fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Checks a plan's name, which becomes a schema name: letters (any script),
/// digits and `_`, starting with a letter or `_`, at most 63 bytes, not one of
/// PostgreSQL's own schemas.
pub fn check_plan_name(name: &str) -> Result<(), String> {
    let ok_chars = name.chars().all(|c| c == '_' || c.is_alphanumeric())
        && name.chars().next().is_some_and(|c| c == '_' || c.is_alphabetic());
    if name.is_empty() || !ok_chars {
        return Err(format!(
            "plan={name}: a plan's name is its schema's: letters, digits and _, starting with a letter (e.g. plan=jinsong)"
        ));
    }
    if name.len() > 63 {
        return Err(format!("plan={name}: at most 63 bytes (PostgreSQL's limit for a schema's name)"));
    }
    let lower = name.to_lowercase();
    if lower == "public" || lower == "information_schema" || lower.starts_with("pg_") || lower == "topology" {
        return Err(format!("plan={name}: that is one of the database's own schemas; choose another name"));
    }
    Ok(())
}

impl Location {
    /// Parses `postgresql://USER@HOST:PORT/DB?plan=NAME[&…]` (or `postgres://`).
    /// Unset parts default as libpq's do: `PGHOST` (else the socket folder
    /// /var/run/postgresql when it exists, else localhost), `PGPORT`, `PGUSER`
    /// (else the login user) and `PGDATABASE` (else the user's name).
    pub fn parse(uri: &str) -> Result<Location, DbError> {
        let bad = |m: String| DbError::Location(m);
        if !is_uri(uri) {
            return Err(bad(format!("{uri}: not a database location (postgresql://USER@HOST:PORT/DB?plan=NAME)")));
        }
        let (base, query) = uri.split_once('?').unwrap_or((uri, ""));
        let mut plan = None;
        let mut rest: Vec<&str> = Vec::new();
        let mut shown_query = Vec::new();
        let mut tls = TlsMode::Prefer;
        let mut root_cert = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "plan" => plan = Some(decode(v)),
                // libpq's modes; the connection itself is told only whether TLS is wanted (rustls checks the certificate).
                "sslmode" => {
                    (tls, rest) = match v {
                        "disable" => (TlsMode::Disable, [rest, vec!["sslmode=disable"]].concat()),
                        "allow" | "prefer" => (TlsMode::Prefer, [rest, vec!["sslmode=prefer"]].concat()),
                        "require" => (TlsMode::Require, [rest, vec!["sslmode=require"]].concat()),
                        "verify-ca" => (TlsMode::VerifyCa, [rest, vec!["sslmode=require"]].concat()),
                        "verify-full" => (TlsMode::VerifyFull, [rest, vec!["sslmode=require"]].concat()),
                        _ => {
                            return Err(bad(format!(
                                "sslmode={v}: use disable, prefer, require, verify-ca or verify-full"
                            )));
                        }
                    };
                    shown_query.push(pair);
                }
                "sslrootcert" => {
                    root_cert = Some(std::path::PathBuf::from(decode(v)));
                    shown_query.push(pair);
                }
                "password" => rest.push(pair),
                _ => {
                    rest.push(pair);
                    shown_query.push(pair);
                }
            }
        }
        let shown_base = redact_userinfo(base);
        let Some(plan) = plan.filter(|p| !p.is_empty()) else {
            return Err(bad(format!(
                "{shown_base}: name the plan, e.g. {shown_base}?plan=jinsong (a plan is a schema of the database)"
            )));
        };
        check_plan_name(&plan).map_err(bad)?;
        let libpq = if rest.is_empty() { base.to_string() } else { format!("{base}?{}", rest.join("&")) };
        let mut config: Config = libpq.parse().map_err(|e: postgres::Error| {
            let why = std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
            bad(format!("{shown_base}: not a connection libpq would make ({why})"))
        })?;
        if config.get_hosts().is_empty() {
            match std::env::var("PGHOST").ok().filter(|h| !h.is_empty()) {
                Some(h) => h.split(',').for_each(|h| {
                    config.host(h);
                }),
                None if Path::new("/var/run/postgresql").is_dir() => {
                    config.host("/var/run/postgresql");
                }
                None => {
                    config.host("localhost");
                }
            }
        }
        if config.get_ports().is_empty()
            && let Some(p) = std::env::var("PGPORT").ok().and_then(|p| p.parse::<u16>().ok())
        {
            config.port(p);
        }
        if config.get_user().is_none() {
            let user = std::env::var("PGUSER")
                .ok()
                .filter(|u| !u.is_empty())
                .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
                .unwrap_or_else(|| "postgres".into());
            config.user(&user);
        }
        if config.get_dbname().is_none() {
            let db = std::env::var("PGDATABASE")
                .ok()
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| config.get_user().unwrap_or("postgres").to_string());
            config.dbname(&db);
        }
        if config.get_application_name().is_none() {
            config.application_name("renewal-planner");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        let mut q = shown_query.join("&");
        if !q.is_empty() {
            q.push('&');
        }
        let shown = format!("{shown_base}?{q}plan={plan}");
        Ok(Location { config, tls, root_cert, plan, shown })
    }

    /// The same server and database, another plan.
    pub fn with_plan(&self, plan: &str) -> Result<Location, DbError> {
        check_plan_name(plan).map_err(DbError::Location)?;
        let shown = match self.shown.rsplit_once("plan=") {
            Some((head, _)) => format!("{head}plan={plan}"),
            None => self.shown.clone(),
        };
        Ok(Location {
            config: self.config.clone(),
            tls: self.tls,
            root_cert: self.root_cert.clone(),
            plan: plan.to_string(),
            shown,
        })
    }

    /// The database's name.
    pub fn db(&self) -> &str {
        self.config.get_dbname().unwrap_or("postgres")
    }

    /// The user the connection logs in as.
    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or("postgres")
    }

    /// The server as a person reads it: `HOST:PORT`, or the socket folder and port.
    pub fn server(&self) -> String {
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        match self.config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => format!("{h}:{port}"),
            Some(postgres::config::Host::Unix(p)) => format!("{} (port {port})", p.display()),
            None => format!("localhost:{port}"),
        }
    }

    /// The password the URI itself gives (kept in memory for this run's other connections, never shown).
    pub fn password(&self) -> Option<String> {
        self.config.get_password().map(|p| String::from_utf8_lossy(p).into_owned())
    }

    /// True when the URI or the environment already gives a password.
    fn has_password(&self) -> bool {
        self.config.get_password().is_some()
    }
}

/// A location as it may be shown or kept (recent plans, messages, the
/// autosave's note): the URI without any password, whether in the user part
/// (`user:secret@`) or a `password=` parameter. Anything else is kept as given,
/// so a URI that does not parse is still shown the way it was typed, less its password.
pub fn redact(uri: &str) -> String {
    let (base, query) = match uri.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (uri, None),
    };
    let base = redact_userinfo(base);
    match query {
        None => base,
        Some(q) => {
            let kept: Vec<&str> =
                q.split('&').filter(|p| p.split_once('=').map_or(*p, |(k, _)| k) != "password").collect();
            format!("{base}?{}", kept.join("&"))
        }
    }
}

/// `postgresql://user:secret@host/db` → `postgresql://user@host/db`.
fn redact_userinfo(base: &str) -> String {
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgresql", base));
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    format!("{scheme}://{authority}{path}")
}

/// The password for `at` from a `.pgpass` file's text (libpq's format:
/// `host:port:database:user:password`, `*` matching anything, `\:` and `\\`).
pub fn pgpass_lookup(text: &str, host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::with_capacity(5);
        let mut cur = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        cur.push(n);
                    }
                }
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        fields.push(cur);
        let [h, p, d, u, pw] = &fields[..] else { continue };
        let port = port.to_string();
        let matches = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        if matches(h, host) && matches(p, &port) && matches(d, db) && matches(u, user) {
            return Some(pw.clone());
        }
    }
    None
}

/// The password `~/.pgpass` (or `PGPASSFILE`) holds for a location, as libpq
/// finds it (a file readable by others is ignored, as libpq does).
fn pgpass_for(at: &Location) -> Option<String> {
    let path = match std::env::var_os("PGPASSFILE") {
        Some(p) => std::path::PathBuf::from(p),
        None => std::path::PathBuf::from(std::env::var_os("HOME")?).join(".pgpass"),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(&path).ok()?.permissions().mode() & 0o077 != 0 {
            return None;
        }
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let port = at.config.get_ports().first().copied().unwrap_or(5432);
    let host = match at.config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(p)) if p == Path::new("/var/run/postgresql") => "localhost".into(),
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    pgpass_lookup(&text, &host, port, at.db(), at.user())
}

/// Connects to a location's database: the password given (a prompt's), else
/// the URI's, else `PGPASSWORD`, else `~/.pgpass`'s.
pub fn connect(at: &Location, password: Option<&str>) -> Result<Client, DbError> {
    let mut config = at.config.clone();
    if let Some(p) = password {
        config.password(p);
    } else if !at.has_password() {
        if let Some(p) = std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty()) {
            config.password(p);
        } else if let Some(p) = pgpass_for(at) {
            config.password(p);
        }
    }
    let tcp = config.get_hosts().iter().any(|h| matches!(h, postgres::config::Host::Tcp(_)));
    if tcp && at.tls != TlsMode::Disable {
        let tls = tls::client_config(at.tls, at.root_cert.as_deref())
            .map_err(|why| DbError::Certificate { server: at.server(), why })?;
        config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls)).map_err(|e| connect_error(at, e))
    } else {
        config.connect(NoTls).map_err(|e| connect_error(at, e))
    }
}

/// libpq's `sslmode`: whether to use TLS and what to check of the server's certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// Never TLS.
    Disable,
    /// TLS if the server offers it, its certificate unchecked (libpq's default).
    Prefer,
    /// TLS or no connection; the certificate unchecked (encrypted, not authenticated), as libpq does.
    Require,
    /// TLS; the certificate signed by a trusted authority (the web's, or `sslrootcert`'s), any name.
    VerifyCa,
    /// TLS; the certificate signed by a trusted authority and made out to the host's name.
    VerifyFull,
}

/// The rustls side of `sslmode`.
mod tls {
    use std::path::Path;
    use std::sync::Arc;

    use rustls::client::WebPkiServerVerifier;
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

    use super::TlsMode;

    /// The client's TLS settings for a mode; the reason when the root certificates cannot be read.
    pub fn client_config(mode: TlsMode, root_cert: Option<&Path>) -> Result<rustls::ClientConfig, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let config = match mode {
            TlsMode::Disable | TlsMode::Prefer | TlsMode::Require => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Unchecked(provider)))
                .with_no_client_auth(),
            TlsMode::VerifyCa | TlsMode::VerifyFull => {
                let mut roots = rustls::RootCertStore::empty();
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                if let Some(path) = root_cert {
                    let certs = CertificateDer::pem_file_iter(path)
                        .map_err(|e| format!("sslrootcert={}: {e}", path.display()))?;
                    let mut n = 0;
                    for cert in certs {
                        let cert = cert.map_err(|e| format!("sslrootcert={}: {e}", path.display()))?;
                        roots.add(cert).map_err(|e| format!("sslrootcert={}: {e}", path.display()))?;
                        n += 1;
                    }
                    if n == 0 {
                        return Err(format!("sslrootcert={}: no certificate in the file (PEM)", path.display()));
                    }
                }
                let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                    .build()
                    .map_err(|e| e.to_string())?;
                let verifier: Arc<dyn ServerCertVerifier> =
                    if mode == TlsMode::VerifyCa { Arc::new(AnyName(verifier)) } else { verifier };
                builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth()
            }
        };
        Ok(config)
    }

    /// `require`/`prefer`: encrypted, the certificate not checked (as libpq); the handshake's signatures still are.
    #[derive(Debug)]
    struct Unchecked(Arc<CryptoProvider>);

    impl ServerCertVerifier for Unchecked {
        fn verify_server_cert(
            &self,
            _: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: &[u8],
            _: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }

    /// `verify-ca`: the chain checked, the name not.
    #[derive(Debug)]
    struct AnyName(Arc<WebPkiServerVerifier>);

    impl ServerCertVerifier for AnyName {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            name: &ServerName<'_>,
            ocsp: &[u8],
            now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            match self.0.verify_server_cert(end_entity, intermediates, name, ocsp, now) {
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
                )) => Ok(ServerCertVerified::assertion()),
                r => r,
            }
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.0.verify_tls12_signature(message, cert, dss)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.0.verify_tls13_signature(message, cert, dss)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.supported_verify_schemes()
        }
    }
}

fn connect_error(at: &Location, e: postgres::Error) -> DbError {
    let server = at.server();
    let user = at.user().to_string();
    if let Some(db) = e.as_db_error() {
        let why = db.message().to_string();
        return match *db.code() {
            SqlState::INVALID_CATALOG_NAME => DbError::NoDatabase { server, db: at.db().to_string() },
            SqlState::INVALID_PASSWORD | SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
                DbError::Refused { server, user, why }
            }
            _ => DbError::Refused { server, user, why },
        };
    }
    let why = std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_else(|| e.to_string());
    if why.contains("does not support TLS") || e.to_string().contains("does not support TLS") {
        return DbError::NoTls { server };
    }
    if why.contains("certificate") {
        return DbError::Certificate { server, why };
    }
    if why.contains("password missing") || e.to_string().contains("password missing") {
        return DbError::NeedsPassword { server, user };
    }
    DbError::Unreachable { server, why }
}

/// A fault during the work on an open connection, worded for the plan.
fn work_error(at: &Location, e: postgres::Error) -> DbError {
    if let Some(db) = e.as_db_error() {
        if *db.code() == SqlState::INSUFFICIENT_PRIVILEGE || *db.code() == SqlState::READ_ONLY_SQL_TRANSACTION {
            return DbError::ReadOnly { user: at.user().into(), plan: at.plan.clone(), why: db.message().into() };
        }
        if [SqlState::ADMIN_SHUTDOWN, SqlState::CRASH_SHUTDOWN, SqlState::CANNOT_CONNECT_NOW].contains(db.code()) {
            return DbError::Unreachable { server: at.server(), why: db.message().into() };
        }
        return DbError::Other(db.message().to_string());
    }
    let io = std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>());
    if e.is_closed() || io {
        return DbError::Unreachable { server: at.server(), why: "the connection was lost".into() };
    }
    DbError::Other(e.to_string())
}

/// A fault while reading a plan: a role refused is told it may not *read* it.
fn read_error(at: &Location, e: postgres::Error) -> LoadError {
    match e.as_db_error() {
        Some(db) if *db.code() == SqlState::INSUFFICIENT_PRIVILEGE => {
            DbError::MayNotRead { user: at.user().into(), plan: at.plan.clone(), why: db.message().into() }.into()
        }
        _ => work_error(at, e).into(),
    }
}

/// Quotes an identifier for SQL.
fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The SQL that takes the plan's lock (`$1`: the plan's name).
const LOCK_KEY: &str = "hashtextextended('renewal-planner/' || $1, 0)";

/// The plans in a location's database: schemas holding `rp_meta`.
pub fn list(at: &Location, password: Option<&str>) -> Result<Vec<String>, DbError> {
    let mut c = connect(at, password)?;
    plans_in(&mut c).map_err(|e| work_error(at, e))
}

fn plans_in(c: &mut impl postgres::GenericClient) -> Result<Vec<String>, postgres::Error> {
    Ok(c.query(
        "SELECT n.nspname FROM pg_namespace n JOIN pg_class r ON r.relnamespace = n.oid \
         WHERE r.relname = 'rp_meta' AND r.relkind = 'r' ORDER BY 1",
        &[],
    )?
    .iter()
    .map(|r| r.get(0))
    .collect())
}

/// A plan read from the database.
pub struct Opened {
    pub loaded: Loaded,
    /// The connecting role may read but not change the plan.
    pub read_only: bool,
    /// The plan's revision when read: the last entry of its edit log.
    pub revision: i64,
}

/// How a table of the plan file is kept in PostgreSQL: its columns' SQL and
/// binary types (`None`: the PostGIS geometry, written as EWKB).
struct Column {
    name: String,
    sql: &'static str,
    ty: Option<Type>,
    not_null: bool,
    pk: i64,
}

fn column_of(name: String, decl: &str, not_null: bool, pk: i64) -> Column {
    let decl = decl.to_ascii_uppercase();
    let (sql, ty) = if decl == "GEOMETRY" {
        ("geometry(Geometry, 4326)", None)
    } else if decl == "INTEGER" {
        ("bigint", Some(Type::INT8))
    } else if decl == "MEDIUMINT" {
        ("integer", Some(Type::INT4))
    } else if decl == "REAL" || decl == "DOUBLE" || decl == "NUMERIC" {
        ("double precision", Some(Type::FLOAT8))
    } else if decl == "BLOB" {
        ("bytea", Some(Type::BYTEA))
    } else if decl == "BOOLEAN" {
        ("boolean", Some(Type::BOOL))
    } else {
        ("text", Some(Type::TEXT))
    };
    Column { name, sql, ty, not_null, pk }
}

fn columns(c: &rusqlite::Connection, table: &str) -> Result<Vec<Column>, rusqlite::Error> {
    let mut q = c.prepare(&format!("PRAGMA table_info({})", ident(table)))?;
    let rows = q.query_map([], |r| {
        Ok(column_of(r.get::<_, String>(1)?, &r.get::<_, String>(2)?, r.get::<_, i64>(3)? != 0, r.get::<_, i64>(5)?))
    })?;
    rows.collect()
}

/// The plan file's tables a database plan holds, in the file's order.
fn plan_tables(c: &rusqlite::Connection) -> Result<Vec<String>, rusqlite::Error> {
    let mut q = c.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'gpkg_%' \
         AND name NOT LIKE 'sqlite_%' AND name != 'layer_styles' ORDER BY rowid",
    )?;
    let rows = q.query_map([], |r| r.get::<_, String>(0))?;
    rows.collect()
}

/// A cell on its way into a binary `COPY`.
#[derive(Debug)]
enum Cell {
    Null,
    I64(i64),
    I32(i32),
    F64(f64),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
}

impl ToSql for Cell {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Cell::Null => Ok(IsNull::Yes),
            Cell::I64(v) => v.to_sql(ty, out),
            Cell::I32(v) => v.to_sql(ty, out),
            Cell::F64(v) => v.to_sql(ty, out),
            Cell::Bool(v) => v.to_sql(ty, out),
            Cell::Text(v) => v.to_sql(ty, out),
            // bytea, and PostGIS geometry, whose binary input is EWKB.
            Cell::Bytes(v) => {
                out.extend_from_slice(v);
                Ok(IsNull::No)
            }
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A value of the plan file as the PostgreSQL column takes it.
fn cell(v: ValueRef<'_>, col: &Column, table: &str) -> Result<Cell, DbError> {
    let wrong = || DbError::Other(format!("{table}.{}: a value of an unexpected type ({v:?})", col.name));
    Ok(match (v, &col.ty) {
        (ValueRef::Null, _) => Cell::Null,
        (ValueRef::Blob(b), None) => {
            let w = wkb::gpkg_wkb(b).map_err(|e| DbError::Other(format!("{table}.{}: {e}", col.name)))?;
            Cell::Bytes(wkb::ewkb(w, 4326).map_err(|e| DbError::Other(format!("{table}.{}: {e}", col.name)))?)
        }
        (ValueRef::Integer(i), Some(t)) if *t == Type::INT8 => Cell::I64(i),
        (ValueRef::Integer(i), Some(t)) if *t == Type::INT4 => Cell::I32(i32::try_from(i).map_err(|_| wrong())?),
        (ValueRef::Integer(i), Some(t)) if *t == Type::FLOAT8 => Cell::F64(i as f64),
        (ValueRef::Integer(i), Some(t)) if *t == Type::BOOL => Cell::Bool(i != 0),
        (ValueRef::Integer(i), Some(t)) if *t == Type::TEXT => Cell::Text(i.to_string()),
        (ValueRef::Real(f), Some(t)) if *t == Type::FLOAT8 => Cell::F64(f),
        (ValueRef::Real(f), Some(t)) if *t == Type::TEXT => Cell::Text(f.to_string()),
        (ValueRef::Text(t), Some(ty)) if *ty == Type::TEXT => Cell::Text(String::from_utf8_lossy(t).into_owned()),
        (ValueRef::Blob(b), Some(ty)) if *ty == Type::BYTEA => Cell::Bytes(b.to_vec()),
        _ => return Err(wrong()),
    })
}

/// What a publish did.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    /// Rows written, all tables.
    pub rows: u64,
    /// It replaced a plan of the same name.
    pub replaced: bool,
    /// The plan's revision after it (its edit log's last entry).
    pub revision: i64,
    /// What did not stop the publish but the planner should know (the QGIS styles not stored, …).
    pub notes: Vec<String>,
}

/// How to publish.
#[derive(Clone, Debug, Default)]
pub struct Publish<'a> {
    /// Publish over a plan of the same name.
    pub replace: bool,
    /// Only if the plan is still at this revision (a window saving what it opened).
    pub expect_revision: Option<i64>,
    /// A password typed by the planner.
    pub password: Option<&'a str>,
}

/// Publishes a whole plan at `at`, in one transaction.
pub fn publish(plan: &Plan, at: &Location, how: &Publish) -> Result<Published, DbError> {
    let mem = gpkg::write_to_memory(plan)?;
    // A shared database is not the planner's own file: owners' names and phones stay out of it.
    let personal = mem
        .execute("UPDATE rp_households SET owner_name = NULL, phone = NULL WHERE owner_name IS NOT NULL OR phone IS NOT NULL", [])
        .map_err(SaveError::from)?;
    let mut client = connect(at, how.password)?;
    let mut done = publish_with(&mut client, &mem, plan, at, how)?;
    if personal > 0 {
        done.notes.push(format!("personal data (owner names, phones) of {personal} households left out"));
    }
    Ok(done)
}

fn publish_with(
    client: &mut Client,
    mem: &rusqlite::Connection,
    plan: &Plan,
    at: &Location,
    how: &Publish,
) -> Result<Published, DbError> {
    let err = |e: postgres::Error| work_error(at, e);
    let mut notes = Vec::new();
    let mut tx = client.transaction().map_err(err)?;
    let has_postgis =
        tx.query_opt("SELECT extversion FROM pg_extension WHERE extname = 'postgis'", &[]).map_err(err)?.is_some();
    if !has_postgis {
        let mut sp = tx.savepoint("postgis").map_err(err)?;
        match sp.batch_execute("CREATE EXTENSION postgis") {
            Ok(()) => sp.commit().map_err(err)?,
            Err(_) => return Err(DbError::NoPostgis { db: at.db().into() }),
        }
    }
    tx.execute(&format!("SELECT pg_advisory_xact_lock({LOCK_KEY})"), &[&at.plan]).map_err(err)?;
    let schema = ident(&at.plan);
    let exists = tx
        .query_one("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", &[&at.plan])
        .map_err(err)?
        .get::<_, bool>(0);
    let mut replaced = false;
    if exists {
        let is_plan = tx
            .query_one("SELECT to_regclass(format('%I.rp_meta', $1::text)) IS NOT NULL", &[&at.plan])
            .map_err(err)?
            .get::<_, bool>(0);
        if !is_plan {
            return Err(DbError::NotAPlan { plan: at.plan.clone(), db: at.db().into() });
        }
        let revision = revision_in(&mut tx, &schema).map_err(err)?;
        match how.expect_revision {
            Some(r) if r != revision.0 => {
                return Err(DbError::Changed { plan: at.plan.clone(), by: revision.1, at: revision.2 });
            }
            Some(_) => {}
            None if !how.replace => return Err(DbError::Exists { plan: at.plan.clone(), db: at.db().into() }),
            None => {}
        }
        let found: i64 = tx
            .query_one(&format!("SELECT value FROM {schema}.rp_meta WHERE key = 'schema_version'"), &[])
            .ok()
            .and_then(|r| r.get::<_, Option<String>>(0))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if found > gpkg::SCHEMA_VERSION {
            return Err(DbError::Newer { plan: at.plan.clone(), found, ours: gpkg::SCHEMA_VERSION });
        }
        replaced = true;
    } else {
        tx.batch_execute(&format!("CREATE SCHEMA {schema}")).map_err(err)?;
    }
    // Looked for first: an editor may not create tables, even with IF NOT EXISTS.
    let has_log = tx
        .query_one("SELECT to_regclass(format('%I.rp_edit_log', $1::text)) IS NOT NULL", &[&at.plan])
        .map_err(err)?
        .get::<_, bool>(0);
    let has_touched = has_log && log_says_what_it_touched(&mut tx, &at.plan).map_err(err)?;
    if has_log && !has_touched {
        // An edit log from before editing together: what its entries touched is unknown, so the whole plan.
        tx.batch_execute(&format!(
            "ALTER TABLE {schema}.rp_edit_log ADD COLUMN touched text[] NOT NULL DEFAULT '{{plan}}'"
        ))
        .map_err(err)?;
    }
    if !has_log {
        tx.batch_execute(&format!(
            "CREATE TABLE {schema}.rp_edit_log (seq bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), \
             db_user text NOT NULL DEFAULT current_user, what text NOT NULL, detail text, touched text[] NOT NULL \
             DEFAULT '{{plan}}')"
        ))
        .map_err(err)?;
    }

    let sql = |e: rusqlite::Error| DbError::Save(SaveError::from(e));
    let mut rows = 0u64;
    let geometry = geometry_type(&mut tx).map_err(err)?;
    for table in plan_tables(mem).map_err(sql)? {
        let cols = columns(mem, &table).map_err(sql)?;
        let qualified = format!("{schema}.{}", ident(&table));
        let definition = table_sql(&qualified, &cols);
        let same = replaced && same_columns(&mut tx, &at.plan, &table, &cols).map_err(err)?;
        // The indexes are made after the rows (a bulk build, faster than one row at a time) by the
        // table's owner; an editor, who may not drop them, fills the table with them in place.
        let mut indexes = Vec::new();
        if cols.iter().any(|c| c.ty.is_none()) {
            indexes.push((format!("{table}_geom_idx"), "USING gist (geom)"));
        }
        if table == "rp_features" || table == "before" || table == "after" {
            indexes.push((format!("{table}_key_idx"), "(feature_key)"));
        }
        let owner = !same
            || tx
                .query_one(
                    "SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass($1)",
                    &[&qualified],
                )
                .map_err(err)?
                .get::<_, bool>(0);
        if same {
            if owner {
                for (name, _) in &indexes {
                    tx.batch_execute(&format!("DROP INDEX IF EXISTS {schema}.{}", ident(name))).map_err(err)?;
                }
            }
            tx.batch_execute(&format!("TRUNCATE {qualified}")).map_err(err)?;
        } else {
            // New, or kept by an older schema: made anew, with the grants the old one had.
            let grants = if replaced { table_grants(&mut tx, &at.plan, &table).map_err(err)? } else { Vec::new() };
            tx.batch_execute(&format!("DROP TABLE IF EXISTS {qualified}; {definition}")).map_err(err)?;
            for g in grants {
                tx.batch_execute(&g.replace("{table}", &qualified)).map_err(err)?;
            }
        }
        rows += copy_table(&mut tx, mem, at, &table, &geometry)?;
        if owner {
            for (name, how) in &indexes {
                tx.batch_execute(&format!("CREATE INDEX {} ON {qualified} {how}", ident(name))).map_err(err)?;
            }
        }
    }
    write_styles(&mut tx, mem, at, &mut notes)?;
    let what = if replaced { "publish (replace)" } else { "publish" };
    let detail = format!(
        "{} features, {} items; renewal-planner {}",
        plan.iter().count(),
        plan.items.len(),
        env!("CARGO_PKG_VERSION")
    );
    let revision = log_entry(&mut tx, &at.plan, what, &detail, &["plan".to_string()]).map_err(err)?;
    tx.commit().map_err(err)?;
    Ok(Published { rows, replaced, revision, notes })
}

/// PostGIS's `geometry` type, for binary `COPY`.
fn geometry_type(tx: &mut postgres::Transaction) -> Result<Type, postgres::Error> {
    let row = tx.query_one(
        "SELECT t.oid, n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
         WHERE t.oid = 'geometry'::regtype",
        &[],
    )?;
    Ok(Type::new("geometry".into(), row.get::<_, u32>(0), PgKind::Simple, row.get(1)))
}

/// Copies every row of a table of the plan file in memory into the plan's table of
/// the same name (binary `COPY`); returns the rows written.
fn copy_table(
    tx: &mut postgres::Transaction,
    mem: &rusqlite::Connection,
    at: &Location,
    table: &str,
    geometry: &Type,
) -> Result<u64, DbError> {
    let err = |e: postgres::Error| work_error(at, e);
    let sql = |e: rusqlite::Error| DbError::Save(SaveError::from(e));
    let cols = columns(mem, table).map_err(sql)?;
    let qualified = format!("{}.{}", ident(&at.plan), ident(table));
    let names: Vec<String> = cols.iter().map(|c| ident(&c.name)).collect();
    let types: Vec<Type> = cols.iter().map(|c| c.ty.clone().unwrap_or_else(|| geometry.clone())).collect();
    let writer =
        tx.copy_in(&format!("COPY {qualified} ({}) FROM STDIN (FORMAT binary)", names.join(", "))).map_err(err)?;
    let mut writer = BinaryCopyInWriter::new(writer, &types);
    let mut q = mem.prepare(&format!("SELECT {} FROM {}", names.join(", "), ident(table))).map_err(sql)?;
    let mut it = q.query([]).map_err(sql)?;
    let mut cells: Vec<Cell> = Vec::with_capacity(cols.len());
    while let Some(r) = it.next().map_err(sql)? {
        cells.clear();
        for (i, col) in cols.iter().enumerate() {
            cells.push(cell(r.get_ref(i).map_err(sql)?, col, table)?);
        }
        let refs: Vec<&(dyn ToSql + Sync)> = cells.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
        writer.write(&refs).map_err(err)?;
    }
    writer.finish().map_err(err)
}

/// True when the plan's edit log says what each entry touched (`touched`, since editing together).
fn log_says_what_it_touched(c: &mut impl postgres::GenericClient, plan: &str) -> Result<bool, postgres::Error> {
    Ok(c.query_one(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(format('%I.rp_edit_log', $1::text)) \
         AND attname = 'touched' AND NOT attisdropped)",
        &[&plan],
    )?
    .get::<_, bool>(0))
}

/// Writes an entry of the plan's edit log (the database user and time are the server's) and
/// announces it to the sessions listening (`plan:seq`); returns its number.
fn log_entry(
    tx: &mut postgres::Transaction,
    plan: &str,
    what: &str,
    detail: &str,
    touched: &[String],
) -> Result<i64, postgres::Error> {
    let seq: i64 = tx
        .query_one(
            &format!(
                "INSERT INTO {}.rp_edit_log (what, detail, touched) VALUES ($1, $2, $3) RETURNING seq",
                ident(plan)
            ),
            &[&what, &detail, &touched],
        )?
        .get(0);
    tx.execute("SELECT pg_notify('renewal_planner', $1 || ':' || $2::bigint)", &[&plan, &seq])?;
    Ok(seq)
}

fn table_sql(qualified: &str, cols: &[Column]) -> String {
    let mut parts: Vec<String> = cols
        .iter()
        .map(|c| format!("{} {}{}", ident(&c.name), c.sql, if c.not_null { " NOT NULL" } else { "" }))
        .collect();
    let mut pk: Vec<&Column> = cols.iter().filter(|c| c.pk > 0).collect();
    pk.sort_by_key(|c| c.pk);
    if !pk.is_empty() {
        parts.push(format!("PRIMARY KEY ({})", pk.iter().map(|c| ident(&c.name)).collect::<Vec<_>>().join(", ")));
    }
    format!("CREATE TABLE {qualified} ({})", parts.join(", "))
}

/// True when the database's table has the columns, in order, with the types this build writes.
fn same_columns(
    tx: &mut postgres::Transaction,
    schema: &str,
    table: &str,
    cols: &[Column],
) -> Result<bool, postgres::Error> {
    let found: Vec<(String, String)> = tx
        .query(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
             WHERE a.attrelid = to_regclass(format('%I.%I', $1::text, $2::text)) AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY a.attnum",
            &[&schema, &table],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let want = cols.iter().map(|c| {
        let t = match c.sql {
            "geometry(Geometry, 4326)" => "geometry(Geometry,4326)",
            s => s,
        };
        (c.name.as_str(), t)
    });
    Ok(found.len() == cols.len() && found.iter().map(|(n, t)| (n.as_str(), t.as_str())).eq(want))
}

/// The grants on a table of the plan, as statements with `{table}` for its name.
fn table_grants(tx: &mut postgres::Transaction, schema: &str, table: &str) -> Result<Vec<String>, postgres::Error> {
    Ok(tx
        .query(
            "SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END \
             FROM pg_class c, aclexplode(c.relacl) a \
             WHERE c.oid = to_regclass(format('%I.%I', $1::text, $2::text)) AND a.grantee <> c.relowner",
            &[&schema, &table],
        )?
        .iter()
        .map(|r| format!("GRANT {} ON {{table}} TO {}", r.get::<_, String>(0), r.get::<_, String>(1)))
        .collect())
}

/// The layers' QGIS styles into `public.layer_styles` (created as QGIS creates
/// it when missing). A role that may not write there publishes without them, with a note.
fn write_styles(
    tx: &mut postgres::Transaction,
    mem: &rusqlite::Connection,
    at: &Location,
    notes: &mut Vec<String>,
) -> Result<(), DbError> {
    let sql = |e: rusqlite::Error| DbError::Save(SaveError::from(e));
    let mut q = mem
        .prepare("SELECT f_table_name, f_geometry_column, styleName, styleQML, styleSLD, description FROM layer_styles")
        .map_err(sql)?;
    let styles: Vec<[String; 6]> = q
        .query_map([], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?]))
        .map_err(sql)?
        .collect::<Result<_, _>>()
        .map_err(sql)?;
    let mut sp = tx.savepoint("styles").map_err(|e| work_error(at, e))?;
    let result = (|| -> Result<(), postgres::Error> {
        // Looked for first: CREATE … IF NOT EXISTS needs the right to create in public even when it exists.
        let exists = sp.query_one("SELECT to_regclass('public.layer_styles') IS NOT NULL", &[])?.get::<_, bool>(0);
        if !exists {
            sp.batch_execute(
                "CREATE TABLE public.layer_styles (id serial PRIMARY KEY, f_table_catalog varchar, \
             f_table_schema varchar, f_table_name varchar, f_geometry_column varchar, stylename text, styleqml xml, \
             stylesld xml, useasdefault boolean, description text, owner varchar(63) DEFAULT CURRENT_USER, ui xml, \
             update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)",
            )?;
        }
        sp.execute(
            "DELETE FROM public.layer_styles WHERE f_table_catalog = current_database() AND f_table_schema = $1 \
             AND f_table_name IN ('before', 'after')",
            &[&at.plan],
        )?;
        for [table, column, name, qml, sld, description] in &styles {
            sp.execute(
                "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, \
                 stylename, styleqml, stylesld, useasdefault, description, owner) VALUES (current_database(), $1, $2, $3, \
                 $4, XMLPARSE(DOCUMENT $5::text), XMLPARSE(DOCUMENT $6::text), true, $7, current_user)",
                &[&at.plan, table, column, name, qml, sld, description],
            )?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => sp.commit().map_err(|e| work_error(at, e)),
        Err(e) => {
            let why = e.as_db_error().map(|d| d.message().to_string()).unwrap_or_else(|| e.to_string());
            sp.rollback().map_err(|e| work_error(at, e))?;
            notes.push(format!("the layers' QGIS styles were not stored in public.layer_styles: {why}"));
            Ok(())
        }
    }
}

/// The plan's revision (its edit log's last entry: number, who, when).
fn revision_in(
    c: &mut impl postgres::GenericClient,
    schema_ident: &str,
) -> Result<(i64, String, String), postgres::Error> {
    let has_log =
        c.query_one("SELECT to_regclass($1) IS NOT NULL", &[&format!("{schema_ident}.rp_edit_log")])?.get::<_, bool>(0);
    if !has_log {
        return Ok((0, String::new(), String::new()));
    }
    Ok(c.query_opt(
        &format!(
            "SELECT seq, db_user, to_char(at, 'YYYY-MM-DD HH24:MI:SS') FROM {schema_ident}.rp_edit_log ORDER BY seq DESC LIMIT 1"
        ),
        &[],
    )?
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .unwrap_or((0, String::new(), String::new())))
}

/// Opens a plan from the database: its `rp_*` tables read, in one snapshot,
/// into a plan file in memory, and that read as a file is.
pub fn load(at: &Location, password: Option<&str>) -> Result<Opened, LoadError> {
    let mut client = connect(at, password)?;
    load_with(&mut client, at)
}

fn load_with(client: &mut Client, at: &Location) -> Result<Opened, LoadError> {
    let err = |e: postgres::Error| read_error(at, e);
    // The lock before the snapshot: no publish commits between them.
    client.execute(&format!("SELECT pg_advisory_lock_shared({LOCK_KEY})"), &[&at.plan]).map_err(err)?;
    let result = read_locked(client, at);
    // Released with the session in any case; released here so the connection can be reused.
    let unlock = client.execute(&format!("SELECT pg_advisory_unlock_shared({LOCK_KEY})"), &[&at.plan]);
    let opened = result?;
    unlock.map_err(err)?;
    Ok(opened)
}

fn read_locked(client: &mut Client, at: &Location) -> Result<Opened, LoadError> {
    let err = |e: postgres::Error| read_error(at, e);
    let sql = |e: rusqlite::Error| LoadError::Malformed { place: "plan in memory".into(), message: e.to_string() };
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(err)?;
    let is_plan = tx
        .query_one("SELECT to_regclass(format('%I.rp_meta', $1::text)) IS NOT NULL", &[&at.plan])
        .map_err(err)?
        .get::<_, bool>(0);
    if !is_plan {
        let exists = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", &[&at.plan])
            .map_err(err)?
            .get::<_, bool>(0);
        if exists {
            return Err(DbError::NotAPlan { plan: at.plan.clone(), db: at.db().into() }.into());
        }
        let others = plans_in(&mut tx).map_err(err)?;
        return Err(DbError::NoPlan { plan: at.plan.clone(), db: at.db().into(), others }.into());
    }
    let schema = ident(&at.plan);
    let mem = gpkg::empty_in_memory().map_err(sql)?;
    let tables = plan_tables(&mem).map_err(sql)?;
    for table in tables.iter().filter(|t| t.starts_with("rp_")) {
        read_table(&mut tx, &mem, at, table, None)?;
    }
    let read_only = !tx
        .query_one("SELECT has_table_privilege(format('%I.rp_features', $1::text), 'UPDATE')", &[&at.plan])
        .map_err(err)?
        .get::<_, bool>(0);
    let revision = revision_in(&mut tx, &schema).map_err(err)?.0;
    tx.commit().map_err(err)?;
    let loaded = gpkg::read_plan(&mem).map_err(|e| match e {
        LoadError::Malformed { place, message } => {
            LoadError::Malformed { place: format!("{}: {place}", at.plan), message }
        }
        e => e,
    })?;
    Ok(Opened { loaded, read_only, revision })
}

/// Reads the rows of a plan's table into the same table of a plan file in memory:
/// all of them, or those whose `column` is one of `keys`. Only the columns the
/// database's table has: an older schema's plan reads as an older file does.
fn read_table(
    tx: &mut postgres::Transaction,
    mem: &rusqlite::Connection,
    at: &Location,
    table: &str,
    only: Option<(&str, &[String])>,
) -> Result<(), LoadError> {
    use postgres::fallible_iterator::FallibleIterator;
    let err = |e: postgres::Error| read_error(at, e);
    let sql = |e: rusqlite::Error| LoadError::Malformed { place: "plan in memory".into(), message: e.to_string() };
    let cols = columns(mem, table).map_err(sql)?;
    let present: Vec<String> = tx
        .query(
            "SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = to_regclass(format('%I.%I', $1::text, $2::text)) \
             AND a.attnum > 0 AND NOT a.attisdropped",
            &[&at.plan, &table],
        )
        .map_err(err)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let cols: Vec<&Column> = cols.iter().filter(|c| present.contains(&c.name)).collect();
    if cols.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = cols.iter().map(|c| ident(&c.name)).collect();
    let insert = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        ident(table),
        names.join(", "),
        (1..=cols.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ")
    );
    let mut stmt = mem.prepare(&insert).map_err(sql)?;
    let mut select = format!("SELECT {} FROM {}.{}", names.join(", "), ident(&at.plan), ident(table));
    let keys: Vec<String> = match only {
        Some((column, keys)) => {
            select.push_str(&format!(" WHERE {} = ANY($1)", ident(column)));
            keys.to_vec()
        }
        None => Vec::new(),
    };
    let params: Vec<&(dyn ToSql + Sync)> = if only.is_some() { vec![&keys] } else { Vec::new() };
    let mut rows = tx.query_raw(&select, params).map_err(err)?;
    while let Some(row) = rows.next().map_err(err)? {
        let mut values: Vec<Sql> = Vec::with_capacity(cols.len());
        for (i, col) in row.columns().iter().enumerate() {
            let t = col.type_();
            let v = if *t == Type::INT8 {
                row.get::<_, Option<i64>>(i).map_or(Sql::Null, Sql::Integer)
            } else if *t == Type::INT4 {
                row.get::<_, Option<i32>>(i).map_or(Sql::Null, |v| Sql::Integer(v.into()))
            } else if *t == Type::FLOAT8 {
                row.get::<_, Option<f64>>(i).map_or(Sql::Null, Sql::Real)
            } else if *t == Type::BOOL {
                row.get::<_, Option<bool>>(i).map_or(Sql::Null, |b| Sql::Integer(b.into()))
            } else if *t == Type::BYTEA {
                row.get::<_, Option<Vec<u8>>>(i).map_or(Sql::Null, Sql::Blob)
            } else if *t == Type::TEXT || *t == Type::VARCHAR {
                row.get::<_, Option<String>>(i).map_or(Sql::Null, Sql::Text)
            } else {
                return Err(LoadError::Malformed {
                    place: format!("{}.{table}.{}", at.plan, col.name()),
                    message: format!("a column of type {t}, which a plan does not have"),
                });
            };
            values.push(v);
        }
        stmt.execute(rusqlite::params_from_iter(values)).map_err(sql)?;
    }
    Ok(())
}

pub mod sync;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redacted_location_keeps_everything_but_the_password() {
        assert_eq!(
            redact("postgresql://ann:s3cret@db.example:5433/rp?sslmode=require&password=x&plan=jinsong"),
            "postgresql://ann@db.example:5433/rp?sslmode=require&plan=jinsong"
        );
        assert_eq!(redact("postgres://ann@/rp?host=/tmp/s&plan=p"), "postgres://ann@/rp?host=/tmp/s&plan=p");
        assert_eq!(redact("postgresql://u:p@h"), "postgresql://u@h");
    }

    #[test]
    fn a_uri_names_its_plan_and_never_shows_a_password() {
        let at =
            Location::parse("postgresql://ana:s3cret@db.example:6543/city?plan=jinsong&sslmode=disable").expect("ok");
        assert_eq!(at.plan, "jinsong");
        assert_eq!(at.db(), "city");
        assert_eq!(at.user(), "ana");
        assert_eq!(at.server(), "db.example:6543");
        let shown = at.to_string();
        assert_eq!(shown, "postgresql://ana@db.example:6543/city?sslmode=disable&plan=jinsong");
        assert!(!format!("{at:?}").contains("s3cret"));
        let at = Location::parse(
            "postgresql://postgres@/rp?host=/tmp/x/sock&port=54329&plan=%E5%8A%B2%E6%9D%BE&password=pw",
        )
        .expect("ok");
        assert_eq!(at.plan, "劲松");
        assert_eq!(at.server(), "/tmp/x/sock (port 54329)");
        assert!(!at.to_string().contains("pw"), "{at}");
    }

    #[test]
    fn a_uri_without_a_plan_or_with_a_bad_one_says_what_to_write() {
        let e = Location::parse("postgresql://u@h/db").expect_err("no plan").to_string();
        assert!(e.contains("?plan=jinsong"), "{e}");
        for bad in ["a-b", "1x", "public", "pg_catalog", "x;drop"] {
            let e = Location::parse(&format!("postgresql://u@h/db?plan={bad}")).expect_err(bad).to_string();
            assert!(e.starts_with(&format!("plan={bad}:")), "{e}");
        }
        let e = Location::parse("postgresql://u@h/db?plan=x&nonsense=1").expect_err("unknown").to_string();
        assert!(e.contains("nonsense"), "{e}");
        let at = Location::parse("postgresql://u@h/db?plan=x&sslmode=verify-ca&sslrootcert=/a+b%20c.pem").expect("ok");
        assert_eq!(at.root_cert.as_deref(), Some(Path::new("/a+b c.pem")), "+ stays +, as libpq reads it");
        let e = Location::parse("postgresql://u@h/db?plan=x&sslmode=sometimes").expect_err("tls").to_string();
        assert!(e.starts_with("sslmode=sometimes: use disable, prefer, require, verify-ca or verify-full"), "{e}");
        let at = Location::parse("postgresql://u@h/db?plan=x&sslmode=verify-full&sslrootcert=/etc/ca.pem").expect("ok");
        assert_eq!((at.tls, at.root_cert.as_deref()), (TlsMode::VerifyFull, Some(Path::new("/etc/ca.pem"))));
        assert_eq!(at.to_string(), "postgresql://u@h/db?sslmode=verify-full&sslrootcert=/etc/ca.pem&plan=x");
    }

    #[test]
    fn pgpass_lines_match_as_libpq_reads_them() {
        let text = "# comment\nother:5432:*:ana:no\ndb.example:6543:city:ana:pa\\:ss\n*:*:*:*:any\n";
        assert_eq!(pgpass_lookup(text, "db.example", 6543, "city", "ana").as_deref(), Some("pa:ss"));
        assert_eq!(pgpass_lookup(text, "elsewhere", 1, "x", "y").as_deref(), Some("any"));
        assert_eq!(pgpass_lookup("h:1:d:u:p", "h", 2, "d", "u"), None);
    }

    #[test]
    fn ewkb_carries_the_srid_after_the_type() {
        let mut w = Vec::new();
        wkb::write(&mut w, &geo::Geometry::Point(geo::Point::new(116.46, 39.88)));
        let e = wkb::ewkb(&w, 4326).expect("ewkb");
        assert_eq!(e.len(), w.len() + 4);
        assert_eq!(e[0], 1);
        assert_eq!(u32::from_le_bytes(e[1..5].try_into().unwrap()), 1 | 0x2000_0000);
        assert_eq!(i32::from_le_bytes(e[5..9].try_into().unwrap()), 4326);
        assert_eq!(&e[9..], &w[5..]);
    }
}
