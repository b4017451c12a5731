//! TLS to a database server reached over TCP (libpq's `sslmode`), against a
//! stand-in server on 127.0.0.1 that answers PostgreSQL's SSLRequest and
//! completes a real TLS handshake (rustls) with a certificate made by
//! `openssl` for the test: `require` encrypts without checking the
//! certificate, `verify-full` checks it against `sslrootcert` and the host's
//! name, `verify-ca` the authority only, and an untrusted certificate is one
//! clear line. (The test server `.ci/run` starts listens on a unix socket
//! only, where PostgreSQL offers no TLS.)

#[path = "common/tools.rs"]
mod tools;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use renewal_planner::io::postgis;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A test authority and a certificate for `localhost` signed by it, in `dir`: (ca.crt, server.crt, server.key).
fn certificates(dir: &Path) -> Option<[std::path::PathBuf; 3]> {
    // `openssl version` (it has no --version).
    let have = std::process::Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success());
    if !have {
        assert!(std::env::var_os("CI").is_none(), "CI must have openssl (installed by .ci/run)");
        eprintln!("SKIPPED: openssl is not installed; TLS to a database server was not checked");
        return None;
    }
    let p = |n: &str| dir.join(n).to_string_lossy().into_owned();
    let ext = dir.join("server.ext");
    std::fs::write(
        &ext,
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    tools::run(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "3650",
            "-subj",
            "/CN=Renewal Planner test CA",
            "-keyout",
            &p("ca.key"),
            "-out",
            &p("ca.crt"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    );
    tools::run(
        "openssl",
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            &p("server.key"),
            "-out",
            &p("server.csr"),
        ],
    );
    tools::run(
        "openssl",
        &[
            "x509",
            "-req",
            "-in",
            &p("server.csr"),
            "-CA",
            &p("ca.crt"),
            "-CAkey",
            &p("ca.key"),
            "-CAcreateserial",
            "-days",
            "3650",
            "-out",
            &p("server.crt"),
            "-extfile",
            &ext.to_string_lossy(),
        ],
    );
    Some([dir.join("ca.crt"), dir.join("server.crt"), dir.join("server.key")])
}

/// A stand-in server for one connection: answers the SSLRequest with 'S', does the TLS
/// handshake and reads the startup message; returns whether the handshake completed and
/// the user the client asked for (then refuses it: no real database here).
fn serve_once(cert: &Path, key: &Path) -> (u16, std::thread::JoinHandle<Option<String>>) {
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(cert).expect("cert").map(|c| c.expect("cert")).collect();
    let key = PrivateKeyDer::from_pem_file(key).expect("key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let handle = std::thread::spawn(move || {
        let (mut tcp, _) = listener.accept().ok()?;
        tcp.set_read_timeout(Some(std::time::Duration::from_secs(10))).ok()?;
        let mut request = [0u8; 8];
        tcp.read_exact(&mut request).ok()?;
        // SSLRequest: length 8, code 80877103.
        if request != [0, 0, 0, 8, 4, 210, 22, 47] {
            return None;
        }
        tcp.write_all(b"S").ok()?;
        let conn = rustls::ServerConnection::new(Arc::new(config)).ok()?;
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let mut len = [0u8; 4];
        tls.read_exact(&mut len).ok()?;
        let mut startup = vec![0u8; (u32::from_be_bytes(len) as usize).saturating_sub(4)];
        tls.read_exact(&mut startup).ok()?;
        let text = String::from_utf8_lossy(&startup).into_owned();
        let user = text.split('\0').skip_while(|f| *f != "user").nth(1).map(str::to_string);
        // ErrorResponse: FATAL, no such database here.
        let fields = b"SFATAL\0C3D000\0Mthe stand-in server has no databases\0\0";
        let mut error = vec![b'E'];
        error.extend_from_slice(&(fields.len() as u32 + 4).to_be_bytes());
        error.extend_from_slice(fields);
        let _ = tls.write_all(&error);
        let _ = tls.flush();
        user
    });
    (port, handle)
}

fn try_connect(uri: &str) -> Result<postgres::Client, postgis::DbError> {
    postgis::connect(&postgis::Location::parse(uri).expect("uri"), None)
}

#[test]
fn sslmode_require_and_verify_full_speak_tls_and_an_untrusted_certificate_is_one_line() {
    let dir = tempfile::tempdir().expect("dir");
    let Some([ca, cert, key]) = certificates(dir.path()) else { return };
    let ca = ca.to_string_lossy().into_owned();

    // require: encrypted, the certificate not checked (as libpq).
    let (port, server) = serve_once(&cert, &key);
    let e =
        try_connect(&format!("postgresql://ana@localhost:{port}/rp?sslmode=require&plan=x")).err().expect("refused");
    assert_eq!(server.join().expect("joined").as_deref(), Some("ana"), "the startup came over TLS");
    assert!(e.to_string().contains("there is no database rp"), "{e}");

    // verify-full with the authority: trusted, the name matches.
    let (port, server) = serve_once(&cert, &key);
    let _ = try_connect(&format!("postgresql://ana@localhost:{port}/rp?sslmode=verify-full&sslrootcert={ca}&plan=x"));
    assert_eq!(server.join().expect("joined").as_deref(), Some("ana"));

    // verify-full without the authority: not trusted, one clear line, nothing sent.
    let (port, server) = serve_once(&cert, &key);
    let e = try_connect(&format!("postgresql://ana@localhost:{port}/rp?sslmode=verify-full&plan=x"))
        .err()
        .expect("untrusted");
    assert_eq!(server.join().expect("joined"), None, "no startup message after a refused certificate");
    let line = e.to_string();
    assert!(line.contains("certificate is not trusted") && line.contains("sslrootcert=FILE"), "{line}");
    assert_eq!(line.lines().count(), 1);

    // verify-full to an address the certificate does not name: refused; verify-ca checks only the authority.
    let (port, server) = serve_once(&cert, &key);
    let e = try_connect(&format!("postgresql://ana@127.0.0.1:{port}/rp?sslmode=verify-full&sslrootcert={ca}&plan=x"))
        .err()
        .expect("wrong name");
    assert_eq!(server.join().expect("joined"), None);
    assert!(e.to_string().contains("certificate is not trusted"), "{e}");
    let (port, server) = serve_once(&cert, &key);
    let _ = try_connect(&format!("postgresql://ana@127.0.0.1:{port}/rp?sslmode=verify-ca&sslrootcert={ca}&plan=x"));
    assert_eq!(server.join().expect("joined").as_deref(), Some("ana"));

    // A root certificate file that is not there.
    let e = try_connect("postgresql://ana@localhost:1/rp?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem&plan=x")
        .err()
        .expect("no file");
    assert!(e.to_string().contains("sslrootcert=/nonexistent/ca.pem"), "{e}");
}
