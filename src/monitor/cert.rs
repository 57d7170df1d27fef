//! Judging a server certificate: subject, SAN names against the name probed, issuer against
//! the internal CA, and days to expiry. Pure functions over DER bytes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::FromDer;

use super::EXPIRY_WARNING_DAYS;

/// Longest issuer chain followed to a trusted CA.
const MAX_CHAIN_DEPTH: usize = 6;

/// A certificate that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable certificate: {0}")]
pub struct CertError(pub String);

/// Something wrong with a certificate. None of these fails a probe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CertWarning {
    /// The name probed is not among the certificate's names.
    WrongName {
        /// The name probed.
        probed: String,
        /// The certificate's DNS names (SAN, else subject CN).
        names: Vec<String>,
    },
    /// Expired.
    Expired {
        /// Days since it expired (0 on the day).
        days_ago: i64,
    },
    /// Expires within the warning window.
    ExpiresSoon {
        /// Days left.
        days: i64,
    },
    /// Not valid yet.
    NotYetValid {
        /// Valid from.
        from: DateTime<Utc>,
    },
    /// Self-signed and not one of the trusted CAs.
    SelfSigned,
    /// Not issued by a trusted CA.
    UnknownIssuer {
        /// The issuer DN.
        issuer: String,
    },
}

impl std::fmt::Display for CertWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CertWarning::WrongName { probed, names } => write!(
                f,
                "certificate does not name {probed} (it names {})",
                if names.is_empty() {
                    "nothing".to_string()
                } else {
                    names.join(", ")
                }
            ),
            CertWarning::Expired { days_ago } => {
                write!(f, "certificate expired {days_ago} day(s) ago")
            }
            CertWarning::ExpiresSoon { days } => {
                write!(f, "certificate expires in {days} day(s)")
            }
            CertWarning::NotYetValid { from } => write!(
                f,
                "certificate is not valid before {}",
                from.format("%Y-%m-%d %H:%M UTC")
            ),
            CertWarning::SelfSigned => {
                f.write_str("certificate is self-signed, not issued by the internal CA")
            }
            CertWarning::UnknownIssuer { issuer } => {
                write!(f, "certificate issuer {issuer} is not the internal CA")
            }
        }
    }
}

/// What a certificate says and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertReport {
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// SAN DNS names (and IP addresses, as text).
    pub san: Vec<String>,
    /// Valid from.
    pub not_before: DateTime<Utc>,
    /// Valid until.
    pub not_after: DateTime<Utc>,
    /// Whole days from now to `not_after` (negative once expired).
    pub days_to_expiry: i64,
    /// The name the certificate was checked against.
    pub probed_name: String,
    /// The probed name is among the certificate's names (SAN; subject CN when no SAN).
    pub name_matches: bool,
    /// Subject equals issuer and the certificate verifies with its own key.
    pub self_signed: bool,
    /// Chains (through the presented intermediates) to a trusted CA; none when no CA was
    /// given to compare with.
    pub issuer_trusted: Option<bool>,
    /// Certificates the server presented.
    pub chain_len: usize,
    /// What is wrong.
    pub warnings: Vec<CertWarning>,
}

impl CertReport {
    /// Whether `name` is among the certificate's names (wildcards match one label).
    pub fn names(&self, name: &str) -> bool {
        names_match(&self.san, name)
    }
}

/// Judges one certificate (DER) against the name probed, at `now`, with no trusted CA to
/// compare with (`issuer_trusted` is none; self-signed certificates still draw a warning).
///
/// # Errors
/// [`CertError`] when the DER does not parse.
pub fn evaluate_certificate(
    der: &[u8],
    probed_name: &str,
    now: DateTime<Utc>,
) -> Result<CertReport, CertError> {
    evaluate_chain(&[der], probed_name, now, &[], EXPIRY_WARNING_DAYS)
}

fn parse(der: &[u8]) -> Result<X509Certificate<'_>, CertError> {
    X509Certificate::from_der(der)
        .map(|(_, c)| c)
        .map_err(|e| CertError(e.to_string()))
}

fn ts(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

/// Judges the chain a server presented (leaf first) against the name probed, at `now`:
/// `trusted_cas` are the internal CA certificates (DER) the leaf must chain to; certificates
/// expiring within `warn_days` draw a warning.
///
/// # Errors
/// [`CertError`] when the leaf does not parse (unreadable intermediates or CAs are skipped).
pub fn evaluate_chain<D: AsRef<[u8]>>(
    chain: &[D],
    probed_name: &str,
    now: DateTime<Utc>,
    trusted_cas: &[Vec<u8>],
    warn_days: i64,
) -> Result<CertReport, CertError> {
    let leaf_der = chain
        .first()
        .ok_or_else(|| CertError("the server presented no certificate".into()))?;
    let leaf = parse(leaf_der.as_ref())?;
    let rest: Vec<X509Certificate<'_>> = chain[1..]
        .iter()
        .filter_map(|d| parse(d.as_ref()).ok())
        .collect();
    let anchors: Vec<X509Certificate<'_>> =
        trusted_cas.iter().filter_map(|d| parse(d).ok()).collect();

    let mut san = Vec::new();
    let mut has_san = false;
    if let Ok(Some(ext)) = leaf.subject_alternative_name() {
        has_san = true;
        for g in &ext.value.general_names {
            match g {
                GeneralName::DNSName(n) => san.push(n.to_string()),
                GeneralName::IPAddress(b) => {
                    if let Some(ip) = ip_from_bytes(b) {
                        san.push(ip.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    if !has_san {
        // Old certificates name the host in the subject CN only.
        san.extend(
            leaf.subject()
                .iter_common_name()
                .filter_map(|cn| cn.as_str().ok().map(str::to_string)),
        );
    }

    let not_before = ts(leaf.validity().not_before.timestamp());
    let not_after = ts(leaf.validity().not_after.timestamp());
    let days_to_expiry = (not_after - now).num_days();
    let self_signed =
        leaf.subject().as_raw() == leaf.issuer().as_raw() && leaf.verify_signature(None).is_ok();
    let issuer_trusted = (!anchors.is_empty()).then(|| chains_to(&leaf, &rest, &anchors));
    let name_matches = names_match(&san, probed_name);

    let mut warnings = Vec::new();
    if !name_matches {
        warnings.push(CertWarning::WrongName {
            probed: probed_name.to_string(),
            names: san.clone(),
        });
    }
    if not_after <= now {
        warnings.push(CertWarning::Expired {
            days_ago: (now - not_after).num_days(),
        });
    } else if days_to_expiry < warn_days {
        warnings.push(CertWarning::ExpiresSoon {
            days: days_to_expiry,
        });
    }
    if not_before > now {
        warnings.push(CertWarning::NotYetValid { from: not_before });
    }
    if issuer_trusted != Some(true) {
        if self_signed {
            warnings.push(CertWarning::SelfSigned);
        } else if issuer_trusted == Some(false) {
            warnings.push(CertWarning::UnknownIssuer {
                issuer: leaf.issuer().to_string(),
            });
        }
    }
    Ok(CertReport {
        subject: leaf.subject().to_string(),
        issuer: leaf.issuer().to_string(),
        san,
        not_before,
        not_after,
        days_to_expiry,
        probed_name: probed_name.to_string(),
        name_matches,
        self_signed,
        issuer_trusted,
        chain_len: chain.len(),
        warnings,
    })
}

/// Whether `cert` is signed by `by` (names and signature).
fn signed_by(cert: &X509Certificate<'_>, by: &X509Certificate<'_>) -> bool {
    cert.issuer().as_raw() == by.subject().as_raw()
        && cert.verify_signature(Some(by.public_key())).is_ok()
}

/// Follows the issuer links from `leaf` through the presented intermediates to an anchor.
fn chains_to(
    leaf: &X509Certificate<'_>,
    intermediates: &[X509Certificate<'_>],
    anchors: &[X509Certificate<'_>],
) -> bool {
    let mut current = leaf;
    for _ in 0..MAX_CHAIN_DEPTH {
        if anchors
            .iter()
            .any(|a| a.as_raw() == current.as_raw() || signed_by(current, a))
        {
            return true;
        }
        match intermediates
            .iter()
            .find(|c| c.as_raw() != current.as_raw() && signed_by(current, c))
        {
            Some(next) => current = next,
            None => return false,
        }
    }
    false
}

fn ip_from_bytes(b: &[u8]) -> Option<std::net::IpAddr> {
    match b.len() {
        4 => Some(std::net::IpAddr::from(<[u8; 4]>::try_from(b).ok()?)),
        16 => Some(std::net::IpAddr::from(<[u8; 16]>::try_from(b).ok()?)),
        _ => None,
    }
}

/// Whether `name` is among `names`: case-insensitive, trailing dot ignored, a leading `*.`
/// matching exactly one label.
pub fn names_match(names: &[String], name: &str) -> bool {
    let want = name.trim_end_matches('.').to_ascii_lowercase();
    names.iter().any(|n| {
        let n = n.trim_end_matches('.').to_ascii_lowercase();
        if let Some(suffix) = n.strip_prefix("*.") {
            want.split_once('.')
                .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix)
        } else {
            n == want
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_one_label() {
        let names = vec!["*.contoso.lab".to_string(), "Pool.Contoso.Lab".to_string()];
        assert!(names_match(&names, "pchat01.contoso.lab"));
        assert!(names_match(&names, "pool.contoso.lab."));
        assert!(!names_match(&names, "a.b.contoso.lab"));
        assert!(!names_match(&names, "contoso.lab"));
        assert!(!names_match(&[], "x"));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(evaluate_certificate(b"not a certificate", "x", Utc::now()).is_err());
    }
}
