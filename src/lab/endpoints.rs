//! The lab's pools as real endpoints: one loopback TLS listener per pool server and port, on
//! 127.0.0.1 with an OS-assigned port (5041 or 443 may be taken or privileged), presenting a
//! certificate from the lab CA whose SANs are the pool FQDN and the server FQDN.
//!
//! The lab's FQDNs (`*.contoso.lab`) resolve nowhere, so the lab publishes its own answers:
//! [`LabEndpoints::resolver`] maps each server FQDN (and the pool FQDN, one answer per member)
//! asked with a service port to the listener addresses, and `<lab dir>/endpoints.json` holds
//! the same answers for other processes ([`Resolver::from_answer_file`]).
//!
//! Layout added to the lab directory:
//!
//! ```text
//! <lab dir>/pki/lab-ca.crt.pem           the lab CA (made on first run, kept)
//! <lab dir>/pki/lab-ca.key.pem           its key (0600)
//! <lab dir>/pki/<server>.crt.pem/.key.pem one certificate per server (reissued when
//!                                        missing, not from this CA, lacking a name, or
//!                                        expiring within 30 days)
//! <lab dir>/endpoints.json               the answers: name, port → addresses
//! ```
//!
//! Listeners for 5041 ([`MTLS_PORT`]) want a client certificate from the lab CA, as the
//! Persistent Chat SIP port does (mutual TLS); the probe has none, so it sees the server's
//! certificate and then the server ending the session, which counts as answering.
//!
//! A listener completes the TLS handshake, writes a one-line banner, closes the TLS session
//! and the socket. Each connection is a small task (at most [`MAX_CONNECTIONS`] per listener
//! at once; more are closed at once), bounded by [`HANDSHAKE_TIMEOUT`]. [`LabEndpoints::stop_pool`]
//! closes the pool's listeners (connections are then refused, as with a stopped service) and
//! [`LabEndpoints::start_pool`] opens them again on the same ports when it can.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use x509_parser::prelude::FromDer;

use crate::deployment::{PoolKind, Profile};
use crate::monitor::cert::names_match;
use crate::monitor::{Answer, Resolver, StaticAnswers, port_uses_tls};

/// Folder of the lab PKI in the lab directory.
pub const PKI_DIR: &str = "pki";
/// The lab's answer file in the lab directory.
pub const ANSWERS_FILE: &str = "endpoints.json";
/// Subject CN of the lab CA.
pub const LAB_CA_NAME: &str = "pchat-migrate Lab Root CA";
/// The port whose lab listeners want a client certificate from the lab CA (Persistent Chat
/// SIP is MTLS on 5041, migration.md §3.1; for the legacy pool's 5041 this is inferred).
pub const MTLS_PORT: u16 = 5041;
/// Connections served at once per listener.
pub const MAX_CONNECTIONS: usize = 256;
/// Time a connection may take to finish its handshake and banner.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// Days of validity of a new lab CA.
const CA_DAYS: i64 = 3650;
/// Days of validity of a new server certificate.
const SERVER_DAYS: i64 = 730;
/// Server certificates expiring within this many days are reissued at start.
const RENEW_DAYS: i64 = 30;

/// Errors of the lab endpoints.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// A file-system error.
    #[error("{path}: {action}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The error.
        source: std::io::Error,
    },
    /// A listener could not be opened.
    #[error("cannot listen for {server}:{port} on loopback: {source}")]
    Bind {
        /// Server FQDN.
        server: String,
        /// Service port it stands for.
        port: u16,
        /// The error.
        source: std::io::Error,
    },
    /// Certificate generation or TLS set-up failed.
    #[error("lab certificates: {0}")]
    Pki(String),
    /// No such pool in the lab.
    #[error("the lab has no pool {0}")]
    UnknownPool(String),
}

fn io_err(path: &Path, action: &'static str) -> impl FnOnce(std::io::Error) -> EndpointError {
    let path = path.to_path_buf();
    move |source| EndpointError::Io {
        path,
        action,
        source,
    }
}

fn pki<E: std::fmt::Display>(e: E) -> EndpointError {
    EndpointError::Pki(e.to_string())
}

fn offset(t: DateTime<Utc>) -> Result<time::OffsetDateTime, EndpointError> {
    time::OffsetDateTime::from_unix_timestamp(t.timestamp()).map_err(pki)
}

/// A certification authority: the lab's, or one made up in a test.
pub struct LabCa {
    cert_pem: String,
    cert_der: Vec<u8>,
    key_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl std::fmt::Debug for LabCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabCa").finish_non_exhaustive()
    }
}

impl LabCa {
    /// A new CA with this common name, valid from a day ago for ten years.
    ///
    /// # Errors
    /// [`EndpointError::Pki`].
    pub fn generate(common_name: &str) -> Result<LabCa, EndpointError> {
        let key = KeyPair::generate().map_err(pki)?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(pki)?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, common_name);
        dn.push(DnType::OrganizationName, "pchat-migrate lab");
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let now = Utc::now();
        params.not_before = offset(now - chrono::Duration::days(1))?;
        params.not_after = offset(now + chrono::Duration::days(CA_DAYS))?;
        let cert = params.self_signed(&key).map_err(pki)?;
        let key_pem = key.serialize_pem();
        Ok(LabCa {
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            key_pem,
            issuer: Issuer::new(params, key),
        })
    }

    /// Reads a CA from its PEM certificate and key.
    ///
    /// # Errors
    /// [`EndpointError::Pki`] when they do not parse.
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<LabCa, EndpointError> {
        let key = KeyPair::from_pem(key_pem).map_err(pki)?;
        let (_, pem) = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes()).map_err(pki)?;
        let cert_der = pem.contents;
        let issuer =
            Issuer::from_ca_cert_der(&CertificateDer::from(cert_der.clone()), key).map_err(pki)?;
        Ok(LabCa {
            cert_pem: cert_pem.to_string(),
            cert_der,
            key_pem: key_pem.to_string(),
            issuer,
        })
    }

    /// The CA certificate (DER): what [`MonitorConfig::trusted_cas`](crate::monitor::MonitorConfig::trusted_cas) wants.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The CA certificate (PEM).
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// Issues a server certificate for `names` (the first is also the subject CN), valid
    /// from `not_before` to `not_after` (pass past dates for an expired one).
    ///
    /// # Errors
    /// [`EndpointError::Pki`].
    pub fn issue(
        &self,
        names: &[String],
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
    ) -> Result<ServerIdentity, EndpointError> {
        let key = KeyPair::generate().map_err(pki)?;
        let params = server_params(names, not_before, not_after)?;
        let cert = params.signed_by(&key, &self.issuer).map_err(pki)?;
        Ok(ServerIdentity::new(cert.pem(), cert.der().to_vec(), &key))
    }
}

fn server_params(
    names: &[String],
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<CertificateParams, EndpointError> {
    let mut params = CertificateParams::new(names.to_vec()).map_err(pki)?;
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CommonName,
        names.first().map_or("server", String::as_str),
    );
    params.distinguished_name = dn;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    params.not_before = offset(not_before)?;
    params.not_after = offset(not_after)?;
    Ok(params)
}

/// A server's certificate and key.
#[derive(Clone)]
pub struct ServerIdentity {
    cert_pem: String,
    cert_der: Vec<u8>,
    key_pem: String,
    key_der: Vec<u8>,
}

impl std::fmt::Debug for ServerIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerIdentity").finish_non_exhaustive()
    }
}

impl ServerIdentity {
    fn new(cert_pem: String, cert_der: Vec<u8>, key: &KeyPair) -> ServerIdentity {
        ServerIdentity {
            cert_pem,
            cert_der,
            key_pem: key.serialize_pem(),
            key_der: key.serialize_der(),
        }
    }

    /// A self-signed certificate for `names` (for tests of the self-signed warning).
    ///
    /// # Errors
    /// [`EndpointError::Pki`].
    pub fn self_signed(
        names: &[String],
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
    ) -> Result<ServerIdentity, EndpointError> {
        let key = KeyPair::generate().map_err(pki)?;
        let cert = server_params(names, not_before, not_after)?
            .self_signed(&key)
            .map_err(pki)?;
        Ok(ServerIdentity::new(cert.pem(), cert.der().to_vec(), &key))
    }

    /// Reads a certificate and key from PEM.
    ///
    /// # Errors
    /// [`EndpointError::Pki`] when they do not parse.
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<ServerIdentity, EndpointError> {
        let key = KeyPair::from_pem(key_pem).map_err(pki)?;
        let (_, pem) = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes()).map_err(pki)?;
        Ok(ServerIdentity::new(
            cert_pem.to_string(),
            pem.contents,
            &key,
        ))
    }

    /// The certificate (DER).
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// A TLS server configuration presenting this certificate (no client authentication).
    ///
    /// # Errors
    /// [`EndpointError::Pki`].
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, EndpointError> {
        self.config(None)
    }

    /// A TLS server configuration presenting this certificate and requiring a client
    /// certificate from `client_ca` (mutual TLS, as on 5041).
    ///
    /// # Errors
    /// [`EndpointError::Pki`].
    pub fn mtls_server_config(&self, client_ca: &[u8]) -> Result<Arc<ServerConfig>, EndpointError> {
        self.config(Some(client_ca))
    }

    /// The private key (PKCS#8 DER), for building other TLS configurations.
    pub fn key_der(&self) -> &[u8] {
        &self.key_der
    }

    fn config(&self, client_ca: Option<&[u8]>) -> Result<Arc<ServerConfig>, EndpointError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(pki)?;
        let builder = match client_ca {
            None => builder.with_no_client_auth(),
            Some(ca) => {
                let mut roots = rustls::RootCertStore::empty();
                roots.add(CertificateDer::from(ca.to_vec())).map_err(pki)?;
                let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                    Arc::new(roots),
                    provider,
                )
                .build()
                .map_err(pki)?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let cfg = builder
            .with_single_cert(
                vec![CertificateDer::from(self.cert_der.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone())),
            )
            .map_err(pki)?;
        Ok(Arc::new(cfg))
    }
}

/// A listener serving one port: TLS (when `tls` is some) then a banner line, or the banner
/// alone on plain TCP. Used by the lab for every pool port, and by tests with any
/// certificate.
#[derive(Debug)]
pub struct Listener {
    addr: SocketAddr,
    cancel: CancellationToken,
    task: JoinHandle<()>,
}

impl Listener {
    /// Listens on `addr` (use port 0 for an OS-assigned port) and serves until closed.
    ///
    /// # Errors
    /// The bind error.
    pub async fn bind(
        addr: SocketAddr,
        tls: Option<Arc<ServerConfig>>,
        banner: String,
    ) -> std::io::Result<Listener> {
        Self::bind_tracked(
            addr,
            tls,
            banner,
            CancellationToken::new(),
            TaskTracker::new(),
        )
    }

    fn bind_tracked(
        addr: SocketAddr,
        tls: Option<Arc<ServerConfig>>,
        banner: String,
        cancel: CancellationToken,
        tracker: TaskTracker,
    ) -> std::io::Result<Listener> {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        let listener = socket.listen(1024)?;
        let addr = listener.local_addr()?;
        let acceptor = tls.map(TlsAcceptor::from);
        let task = tokio::spawn(serve(
            listener,
            acceptor,
            Arc::from(banner.as_str()),
            cancel.clone(),
            tracker,
        ));
        Ok(Listener { addr, cancel, task })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, ends the connections under way, and waits until the socket is
    /// closed (new connections are then refused).
    pub async fn close(self) {
        self.cancel.cancel();
        let _ = self.task.await;
    }
}

async fn serve(
    listener: TcpListener,
    acceptor: Option<TlsAcceptor>,
    banner: Arc<str>,
    cancel: CancellationToken,
    tracker: TaskTracker,
) {
    let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let accepted = tokio::select! {
            () = cancel.cancelled() => break,
            r = listener.accept() => r,
        };
        match accepted {
            Ok((sock, _)) => {
                let Ok(permit) = limit.clone().try_acquire_owned() else {
                    drop(sock);
                    continue;
                };
                let (acceptor, banner, cancel) = (acceptor.clone(), banner.clone(), cancel.clone());
                tracker.spawn(async move {
                    tokio::select! {
                        () = cancel.cancelled() => {}
                        _ = tokio::time::timeout(HANDSHAKE_TIMEOUT, answer(sock, acceptor, &banner)) => {}
                    }
                    drop(permit);
                });
            }
            Err(e) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                tracing::warn!("lab listener accept: {e}");
                tokio::select! {
                    () = cancel.cancelled() => break,
                    () = tokio::time::sleep(Duration::from_millis(50)) => {}
                }
            }
        }
    }
    drop(listener);
}

async fn answer(sock: TcpStream, acceptor: Option<TlsAcceptor>, banner: &str) {
    let line = format!("{banner}\r\n");
    match acceptor {
        Some(acc) => {
            if let Ok(mut tls) = acc.accept(sock).await {
                let _ = tls.write_all(line.as_bytes()).await;
                let _ = tls.shutdown().await;
            }
        }
        None => {
            let mut sock = sock;
            let _ = sock.write_all(line.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    }
}

/// One served address, for display and for the answer file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LabAddress {
    /// Pool FQDN.
    pub pool_fqdn: String,
    /// Pool kind.
    pub kind: PoolKind,
    /// Server FQDN.
    pub server: String,
    /// The service port it stands for (5041, 443…).
    pub port: u16,
    /// Where it listens (127.0.0.1 and an OS-assigned port).
    pub address: SocketAddr,
    /// Whether the pool is started.
    pub running: bool,
}

struct Slot {
    server: String,
    port: u16,
    addr: SocketAddr,
    tls: Option<Arc<ServerConfig>>,
    listener: Option<Listener>,
}

struct PoolSlots {
    fqdn: String,
    kind: PoolKind,
    running: bool,
    slots: Vec<Slot>,
}

struct Inner {
    lab_dir: PathBuf,
    ca_der: Vec<u8>,
    answers: StaticAnswers,
    pools: Mutex<Vec<PoolSlots>>,
    /// Serialises start/stop so that two callers do not race on one pool.
    ops: tokio::sync::Mutex<()>,
    cancel: CancellationToken,
    tracker: TaskTracker,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// The lab's pools served on loopback. Cheap to clone (shared).
#[derive(Clone)]
pub struct LabEndpoints {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for LabEndpoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabEndpoints")
            .field("lab_dir", &self.inner.lab_dir)
            .finish_non_exhaustive()
    }
}

fn write_private(path: &Path, text: &str) -> Result<(), EndpointError> {
    std::fs::write(path, text).map_err(io_err(path, "write"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(io_err(path, "restrict permissions"))?;
    }
    Ok(())
}

/// Loads the lab CA from `<pki>/`, or makes and stores a new one when it is missing,
/// unreadable or expiring within 30 days.
fn load_or_create_ca(pki_dir: &Path) -> Result<LabCa, EndpointError> {
    let cert_path = pki_dir.join("lab-ca.crt.pem");
    let key_path = pki_dir.join("lab-ca.key.pem");
    if let (Ok(c), Ok(k)) = (
        std::fs::read_to_string(&cert_path),
        std::fs::read_to_string(&key_path),
    ) && let Ok(ca) = LabCa::from_pem(&c, &k)
        && days_left(ca.cert_der()).is_some_and(|d| d > RENEW_DAYS)
    {
        return Ok(ca);
    }
    let ca = LabCa::generate(LAB_CA_NAME)?;
    std::fs::write(&cert_path, ca.cert_pem()).map_err(io_err(&cert_path, "write"))?;
    write_private(&key_path, &ca.key_pem)?;
    Ok(ca)
}

fn days_left(der: &[u8]) -> Option<i64> {
    let (_, c) = x509_parser::certificate::X509Certificate::from_der(der).ok()?;
    Some((c.validity().not_after.timestamp() - Utc::now().timestamp()) / 86_400)
}

/// Whether a stored server certificate can be kept: from this CA, naming every name, not
/// expiring soon.
fn still_good(id: &ServerIdentity, ca_der: &[u8], names: &[String]) -> bool {
    let Ok(r) = crate::monitor::evaluate_chain(
        &[id.cert_der()],
        &names[0],
        Utc::now(),
        &[ca_der.to_vec()],
        RENEW_DAYS,
    ) else {
        return false;
    };
    r.issuer_trusted == Some(true)
        && r.warnings.is_empty()
        && names.iter().all(|n| names_match(&r.san, n))
}

fn file_stem(server: &str) -> String {
    server
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn server_identity(
    pki_dir: &Path,
    ca: &LabCa,
    server: &str,
    pool_fqdn: &str,
) -> Result<ServerIdentity, EndpointError> {
    let names = if server.eq_ignore_ascii_case(pool_fqdn) {
        vec![server.to_string()]
    } else {
        vec![server.to_string(), pool_fqdn.to_string()]
    };
    let stem = file_stem(server);
    let cert_path = pki_dir.join(format!("{stem}.crt.pem"));
    let key_path = pki_dir.join(format!("{stem}.key.pem"));
    if let (Ok(c), Ok(k)) = (
        std::fs::read_to_string(&cert_path),
        std::fs::read_to_string(&key_path),
    ) && let Ok(id) = ServerIdentity::from_pem(&c, &k)
        && still_good(&id, ca.cert_der(), &names)
    {
        return Ok(id);
    }
    let now = Utc::now();
    let id = ca.issue(
        &names,
        now - chrono::Duration::days(1),
        now + chrono::Duration::days(SERVER_DAYS),
    )?;
    std::fs::write(&cert_path, &id.cert_pem).map_err(io_err(&cert_path, "write"))?;
    write_private(&key_path, &id.key_pem)?;
    Ok(id)
}

fn banner(kind: PoolKind, server: &str, port: u16) -> String {
    format!(
        "pchat-migrate lab: {} {server} port {port} ready",
        kind.product_name()
    )
}

impl LabEndpoints {
    /// Makes (first run) or loads the lab PKI under `<lab_dir>/pki/`, opens one loopback
    /// listener per pool server and port of `profile`, and writes the answer file. Pools
    /// without ports are not served. Call inside a tokio runtime.
    ///
    /// # Errors
    /// [`EndpointError`]: file system, certificates, or a listener that cannot be opened.
    pub async fn start(lab_dir: &Path, profile: &Profile) -> Result<LabEndpoints, EndpointError> {
        let lab_dir = lab_dir.to_path_buf();
        let pki_dir = lab_dir.join(PKI_DIR);
        let servers: Vec<(String, String)> = profile
            .pools
            .iter()
            .filter(|p| !p.ports.is_empty())
            .flat_map(|p| {
                let names: Vec<String> = if p.servers.is_empty() {
                    vec![p.fqdn.clone()]
                } else {
                    p.servers.clone()
                };
                names.into_iter().map(|s| (s, p.fqdn.clone()))
            })
            .collect();
        // Key generation and files: off the async threads.
        let (ca_der, identities) = tokio::task::spawn_blocking({
            let pki_dir = pki_dir.clone();
            move || -> Result<_, EndpointError> {
                std::fs::create_dir_all(&pki_dir).map_err(io_err(&pki_dir, "create"))?;
                let ca = load_or_create_ca(&pki_dir)?;
                let mut ids = Vec::new();
                for (server, pool) in &servers {
                    let id = server_identity(&pki_dir, &ca, server, pool)?;
                    let mtls = id.mtls_server_config(ca.cert_der())?;
                    ids.push((server.clone(), id.server_config()?, mtls));
                }
                Ok((ca.cert_der().to_vec(), ids))
            }
        })
        .await
        .map_err(pki)??;

        let mut pools = Vec::new();
        for p in profile.pools.iter().filter(|p| !p.ports.is_empty()) {
            let names: Vec<String> = if p.servers.is_empty() {
                vec![p.fqdn.clone()]
            } else {
                p.servers.clone()
            };
            let mut slots = Vec::new();
            for server in names {
                let id = identities.iter().find(|(s, _, _)| *s == server);
                for &port in &p.ports {
                    let tls = match id {
                        Some((_, _, mtls)) if port == MTLS_PORT => Some(mtls.clone()),
                        Some((_, tls, _)) if port_uses_tls(port) => Some(tls.clone()),
                        _ => None,
                    };
                    slots.push(Slot {
                        server: server.clone(),
                        port,
                        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                        tls,
                        listener: None,
                    });
                }
            }
            pools.push(PoolSlots {
                fqdn: p.fqdn.clone(),
                kind: p.kind,
                running: false,
                slots,
            });
        }
        let lab = LabEndpoints {
            inner: Arc::new(Inner {
                lab_dir,
                ca_der,
                answers: StaticAnswers::default(),
                pools: Mutex::new(pools),
                ops: tokio::sync::Mutex::new(()),
                cancel: CancellationToken::new(),
                tracker: TaskTracker::new(),
            }),
        };
        let fqdns: Vec<String> = lab.lock().iter().map(|p| p.fqdn.clone()).collect();
        for f in fqdns {
            lab.start_pool(&f).await?;
        }
        Ok(lab)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<PoolSlots>> {
        self.inner.pools.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens the pool's listeners again (on their previous ports when free, else on new
    /// ones, and the answers follow). Does nothing to a running pool.
    ///
    /// # Errors
    /// [`EndpointError::UnknownPool`], [`EndpointError::Bind`].
    pub async fn start_pool(&self, fqdn: &str) -> Result<(), EndpointError> {
        let _op = self.inner.ops.lock().await;
        let mut pools = self.lock();
        let pool = pools
            .iter_mut()
            .find(|p| p.fqdn.eq_ignore_ascii_case(fqdn))
            .ok_or_else(|| EndpointError::UnknownPool(fqdn.to_string()))?;
        if pool.running {
            return Ok(());
        }
        let kind = pool.kind;
        for slot in &mut pool.slots {
            let b = banner(kind, &slot.server, slot.port);
            let open = |addr| {
                Listener::bind_tracked(
                    addr,
                    slot.tls.clone(),
                    b.clone(),
                    self.inner.cancel.child_token(),
                    self.inner.tracker.clone(),
                )
            };
            let listener = match open(slot.addr) {
                Ok(l) => l,
                Err(_) if slot.addr.port() != 0 => open(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
                    .map_err(|source| EndpointError::Bind {
                        server: slot.server.clone(),
                        port: slot.port,
                        source,
                    })?,
                Err(source) => {
                    return Err(EndpointError::Bind {
                        server: slot.server.clone(),
                        port: slot.port,
                        source,
                    });
                }
            };
            slot.addr = listener.local_addr();
            slot.listener = Some(listener);
        }
        pool.running = true;
        self.publish(&pools);
        drop(pools);
        self.write_answer_file();
        Ok(())
    }

    /// Closes the pool's listeners and waits until they are closed: from then on its ports
    /// refuse connections, as a stopped service's would. Its names still resolve (stopping
    /// a service does not remove DNS records).
    ///
    /// # Errors
    /// [`EndpointError::UnknownPool`].
    pub async fn stop_pool(&self, fqdn: &str) -> Result<(), EndpointError> {
        let _op = self.inner.ops.lock().await;
        let listeners: Vec<Listener> = {
            let mut pools = self.lock();
            let pool = pools
                .iter_mut()
                .find(|p| p.fqdn.eq_ignore_ascii_case(fqdn))
                .ok_or_else(|| EndpointError::UnknownPool(fqdn.to_string()))?;
            pool.running = false;
            pool.slots
                .iter_mut()
                .filter_map(|s| s.listener.take())
                .collect()
        };
        for l in listeners {
            l.close().await;
        }
        self.write_answer_file();
        Ok(())
    }

    /// Whether the pool is started; none for a pool the lab does not serve.
    pub fn pool_running(&self, fqdn: &str) -> Option<bool> {
        self.lock()
            .iter()
            .find(|p| p.fqdn.eq_ignore_ascii_case(fqdn))
            .map(|p| p.running)
    }

    /// Every served (pool, server, port) and its loopback address.
    pub fn addresses(&self) -> Vec<LabAddress> {
        self.lock()
            .iter()
            .flat_map(|p| {
                p.slots.iter().map(|s| LabAddress {
                    pool_fqdn: p.fqdn.clone(),
                    kind: p.kind,
                    server: s.server.clone(),
                    port: s.port,
                    address: s.addr,
                    running: p.running,
                })
            })
            .collect()
    }

    /// A resolver answering the lab's names with its listener addresses (kept current as
    /// pools stop and start); it never asks real DNS and only allows loopback addresses.
    pub fn resolver(&self) -> Resolver {
        Resolver::fixed(self.inner.answers.clone(), true)
    }

    /// The lab CA certificate (DER), for [`MonitorConfig::trusted_cas`](crate::monitor::MonitorConfig::trusted_cas).
    pub fn ca_der(&self) -> Vec<u8> {
        self.inner.ca_der.clone()
    }

    /// The lab's PKI folder.
    pub fn pki_dir(&self) -> PathBuf {
        self.inner.lab_dir.join(PKI_DIR)
    }

    /// The lab's answer file.
    pub fn answer_file(&self) -> PathBuf {
        self.inner.lab_dir.join(ANSWERS_FILE)
    }

    /// Closes every listener and connection and waits for them.
    pub async fn shutdown(&self) {
        let fqdns: Vec<String> = self.lock().iter().map(|p| p.fqdn.clone()).collect();
        for f in fqdns {
            let _ = self.stop_pool(&f).await;
        }
        self.inner.cancel.cancel();
        self.inner.tracker.close();
        self.inner.tracker.wait().await;
    }

    /// Sets the answers: server name at a port → its listener; pool name at a port → every
    /// member's listener for that port.
    fn publish(&self, pools: &[PoolSlots]) {
        for p in pools {
            let mut by_port: Vec<(u16, Vec<SocketAddr>)> = Vec::new();
            for s in &p.slots {
                if s.addr.port() == 0 {
                    continue;
                }
                self.inner.answers.set(&s.server, s.port, vec![s.addr]);
                match by_port.iter_mut().find(|(port, _)| *port == s.port) {
                    Some((_, v)) => v.push(s.addr),
                    None => by_port.push((s.port, vec![s.addr])),
                }
            }
            if !p
                .slots
                .iter()
                .any(|s| s.server.eq_ignore_ascii_case(&p.fqdn))
            {
                for (port, addrs) in by_port {
                    self.inner.answers.set(&p.fqdn, port, addrs);
                }
            }
        }
    }

    fn write_answer_file(&self) {
        #[derive(Serialize)]
        struct File<'a> {
            note: &'a str,
            answers: Vec<Answer>,
            endpoints: Vec<LabAddress>,
        }
        let f = File {
            note: "pchat-migrate lab: loopback addresses standing for the lab's pool names; \
                   rewritten whenever the lab starts or stops a pool",
            answers: self.inner.answers.list(),
            endpoints: self.addresses(),
        };
        let path = self.answer_file();
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(&f).unwrap_or_default();
        if let Err(e) = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, &path)) {
            tracing::warn!("cannot write {}: {e}", path.display());
        }
    }
}
