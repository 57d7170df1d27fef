//! One probe: DNS, TCP connect, TLS handshake with a verifier that accepts any certificate
//! and records the chain, then the certificate judged by [`super::cert`].

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout_at;

use super::cert::{evaluate_chain, names_match};
use super::{DnsStatus, PortOutcome, PortStatus, ProbeTarget, Resolver};

/// Addresses tried per probe (in resolver order), at most.
const MAX_ADDRESSES: usize = 4;
/// Time spent listening after a handshake for a banner or a mutual-TLS refusal.
const LISTEN_AFTER: Duration = Duration::from_millis(150);
/// Time given to the TLS close after a successful handshake.
const CLOSE_GRACE: Duration = Duration::from_millis(100);

/// Accepts every certificate and keeps the chain the server presented, so that a wrong,
/// expired or foreign certificate is reported instead of aborting the probe. Handshake
/// signatures are still checked (the server must hold the certificate's key).
#[derive(Debug)]
pub(crate) struct RecordingVerifier {
    chain: Mutex<Option<Vec<CertificateDer<'static>>>>,
    algs: WebPkiSupportedAlgorithms,
}

impl RecordingVerifier {
    fn new(provider: &CryptoProvider) -> RecordingVerifier {
        RecordingVerifier {
            chain: Mutex::new(None),
            algs: provider.signature_verification_algorithms,
        }
    }

    fn take(&self) -> Option<Vec<CertificateDer<'static>>> {
        self.chain.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = vec![end_entity.clone().into_owned()];
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        *self.chain.lock().unwrap_or_else(|e| e.into_inner()) = Some(chain);
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algs.supported_schemes()
    }
}

/// What the engine needs to judge certificates.
#[derive(Clone, Debug)]
pub(crate) struct CertPolicy {
    pub trusted_cas: Arc<Vec<Vec<u8>>>,
    pub warn_days: i64,
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Probes one target within `budget`. Never fails: every outcome is a [`PortStatus`].
pub(crate) async fn probe(
    target: &ProbeTarget,
    resolver: &Resolver,
    budget: Duration,
    policy: &CertPolicy,
) -> PortStatus {
    let start = Instant::now();
    let deadline = tokio::time::Instant::from_std(start + budget);
    let mut st = PortStatus {
        port: target.port,
        tls: target.tls,
        outcome: PortOutcome::NotProbed,
        detail: String::new(),
        dns: DnsStatus {
            name: target.server.clone(),
            ..DnsStatus::default()
        },
        address: None,
        connect_ms: None,
        handshake_ms: None,
        tls_version: None,
        cert: None,
        cert_warnings: Vec::new(),
        checked_at: None,
        history: Vec::new(),
    };
    run(target, resolver, budget, deadline, policy, &mut st).await;
    st.checked_at = Some(Utc::now());
    st
}

async fn run(
    target: &ProbeTarget,
    resolver: &Resolver,
    budget: Duration,
    deadline: tokio::time::Instant,
    policy: &CertPolicy,
    st: &mut PortStatus,
) {
    let budget_ms = ms(budget);
    // 1. DNS
    match timeout_at(deadline, resolver.resolve(&target.server, target.port)).await {
        Ok(Ok(addrs)) => {
            st.dns.ok = true;
            st.dns.addresses = addrs;
        }
        Ok(Err(e)) => st.dns.error = Some(e),
        Err(_) => st.dns.error = Some(format!("no DNS answer within {budget_ms} ms")),
    }
    let candidates: Vec<SocketAddr> = match target.connect_to {
        Some(a) => vec![a],
        None if st.dns.ok => st
            .dns
            .addresses
            .iter()
            .take(MAX_ADDRESSES)
            .copied()
            .collect(),
        None => {
            st.outcome = PortOutcome::DnsFailed;
            st.detail = st.dns.error.clone().unwrap_or_default();
            return;
        }
    };
    if let Some(bad) = candidates.iter().find(|a| !resolver.allows(a)) {
        st.outcome = PortOutcome::Unreachable;
        st.detail = format!("{bad}: not probed, the lab only probes loopback addresses");
        return;
    }

    // 2. TCP
    let mut stream = None;
    let mut last = (
        PortOutcome::Unreachable,
        String::from("no address to connect to"),
    );
    for addr in candidates {
        let t0 = Instant::now();
        match timeout_at(deadline, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                st.connect_ms = Some(ms(t0.elapsed()));
                st.address = Some(addr);
                stream = Some(s);
                break;
            }
            Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => {
                last = (PortOutcome::Refused, format!("{addr}: connection refused"));
            }
            Ok(Err(e)) => last = (PortOutcome::Unreachable, format!("{addr}: {e}")),
            Err(_) => {
                last = (
                    PortOutcome::NoAnswer,
                    format!("{addr}: no TCP answer within {budget_ms} ms"),
                );
                break;
            }
        }
    }
    let Some(stream) = stream else {
        (st.outcome, st.detail) = last;
        return;
    };
    let addr = st.address.unwrap_or_else(|| ([0, 0, 0, 0], 0).into());
    if !target.tls {
        st.outcome = PortOutcome::Up;
        st.detail = format!("{addr}: TCP connected");
        return;
    }

    // 3. TLS
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(RecordingVerifier::new(&provider));
    let config = match rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
    {
        Ok(b) => b
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth(),
        Err(e) => {
            st.outcome = PortOutcome::TlsFailed;
            st.detail = format!("TLS set-up: {e}");
            return;
        }
    };
    let sni = ServerName::try_from(target.server.clone())
        .unwrap_or_else(|_| ServerName::IpAddress(addr.ip().into()));
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let t0 = Instant::now();
    let result = timeout_at(deadline, connector.connect(sni, stream)).await;
    let handshake_ms = ms(t0.elapsed());
    let chain = verifier.take();
    match (result, chain) {
        (Ok(Ok(mut tls)), chain) => {
            st.handshake_ms = Some(handshake_ms);
            st.tls_version = tls
                .get_ref()
                .1
                .protocol_version()
                .and_then(|v| v.as_str().map(str::to_string));
            st.outcome = PortOutcome::Up;
            st.detail = format!("{addr}: TLS handshake completed");
            if chain.is_none() {
                st.detail.push_str(" (no certificate: session resumed)");
            }
            judge(target, chain, policy, st);
            // With TLS 1.3 the client finishes before the server has judged the (absent)
            // client certificate: listen briefly for its verdict or a banner.
            let listen_until = deadline.min(tokio::time::Instant::now() + LISTEN_AFTER);
            let mut buf = [0u8; 256];
            match timeout_at(listen_until, tls.read(&mut buf)).await {
                Ok(Ok(0)) => st.detail.push_str("; the server closed the session"),
                Ok(Ok(n)) => {
                    let text = String::from_utf8_lossy(&buf[..n]);
                    let line = text.lines().next().unwrap_or("").trim();
                    let line: String = line.chars().take(120).collect();
                    st.detail.push_str(&format!("; it said \"{line}\""));
                }
                Ok(Err(e)) if e.to_string().to_ascii_lowercase().contains("certificate") => {
                    st.detail.push_str(&format!(
                        "; then it wanted a client certificate (mutual TLS): {e}"
                    ));
                }
                Ok(Err(e)) => st.detail.push_str(&format!("; then: {e}")),
                Err(_) => {}
            }
            let _ = tokio::time::timeout(CLOSE_GRACE, tls.shutdown()).await;
        }
        (Ok(Err(e)), Some(chain)) => {
            // The server showed its certificate, then broke off: typically MTLS (5041)
            // wanting a client certificate the probe does not have. It answers.
            st.handshake_ms = Some(handshake_ms);
            st.outcome = PortOutcome::Up;
            st.detail = format!(
                "{addr}: presented its certificate, then ended the handshake ({e}); \
                 likely mutual TLS wanting a client certificate"
            );
            judge(target, Some(chain), policy, st);
        }
        (Ok(Err(e)), None) => {
            st.outcome = PortOutcome::TlsFailed;
            st.detail = format!("{addr}: TCP connected but TLS failed before a certificate: {e}");
        }
        (Err(_), chain) => {
            if let Some(chain) = chain {
                // Certificate seen, but the handshake did not finish in time.
                st.handshake_ms = Some(handshake_ms);
                judge(target, Some(chain), policy, st);
            }
            st.outcome = PortOutcome::NoAnswer;
            st.detail = format!(
                "{addr}: TCP connected but no TLS answer within {budget_ms} ms (connect {} ms)",
                st.connect_ms.unwrap_or(0)
            );
        }
    }
}

fn judge(
    target: &ProbeTarget,
    chain: Option<Vec<CertificateDer<'static>>>,
    policy: &CertPolicy,
    st: &mut PortStatus,
) {
    let Some(chain) = chain else { return };
    match evaluate_chain(
        &chain,
        &target.server,
        Utc::now(),
        &policy.trusted_cas,
        policy.warn_days,
    ) {
        Ok(report) => {
            st.cert_warnings = report.warnings.iter().map(ToString::to_string).collect();
            if !target.pool_fqdn.eq_ignore_ascii_case(&target.server)
                && !names_match(&report.san, &target.pool_fqdn)
            {
                st.cert_warnings.push(format!(
                    "certificate does not name the pool FQDN {}",
                    target.pool_fqdn
                ));
            }
            st.cert = Some(report);
        }
        Err(e) => st.cert_warnings.push(e.to_string()),
    }
}
