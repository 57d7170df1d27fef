//! Name resolution for the probes: the system's DNS in production, fixed answers in the lab
//! (whose `*.contoso.lab` names resolve nowhere) and in tests.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

/// One fixed answer: `name` asked with `port` gives `addresses`. Port 0 answers for every
/// port (the addresses' own ports are then replaced by the port asked for).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The name (compared case-insensitively, trailing dot ignored).
    pub name: String,
    /// The port asked for, or 0 for any.
    pub port: u16,
    /// The addresses.
    pub addresses: Vec<SocketAddr>,
}

/// Fixed answers shared between their owner (the lab, which moves them when it rebinds a
/// listener) and the resolvers made from them.
#[derive(Clone, Debug, Default)]
pub struct StaticAnswers(Arc<RwLock<AnswerMap>>);

/// (lower-case name, port) → addresses.
type AnswerMap = HashMap<(String, u16), Vec<SocketAddr>>;

fn key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

impl StaticAnswers {
    /// Answers from a list.
    pub fn from_answers(answers: impl IntoIterator<Item = Answer>) -> StaticAnswers {
        let s = StaticAnswers::default();
        for a in answers {
            s.set(&a.name, a.port, a.addresses);
        }
        s
    }

    /// Sets (replaces) the answer for `name` asked with `port`.
    pub fn set(&self, name: &str, port: u16, addresses: Vec<SocketAddr>) {
        let mut m = self.0.write().unwrap_or_else(|e| e.into_inner());
        m.insert((key(name), port), addresses);
    }

    /// The answer for `name` asked with `port`: the exact entry, else the port-0 entry with
    /// the port put in. None: the name is not known (NXDOMAIN).
    pub fn get(&self, name: &str, port: u16) -> Option<Vec<SocketAddr>> {
        let m = self.0.read().unwrap_or_else(|e| e.into_inner());
        let k = key(name);
        if let Some(a) = m.get(&(k.clone(), port)) {
            return Some(a.clone());
        }
        m.get(&(k, 0)).map(|a| {
            a.iter()
                .map(|s| SocketAddr::new(s.ip(), port))
                .collect::<Vec<_>>()
        })
    }

    /// All answers, sorted by name and port.
    pub fn list(&self) -> Vec<Answer> {
        let m = self.0.read().unwrap_or_else(|e| e.into_inner());
        let mut v: Vec<Answer> = m
            .iter()
            .map(|((name, port), a)| Answer {
                name: name.clone(),
                port: *port,
                addresses: a.clone(),
            })
            .collect();
        v.sort_by(|a, b| (&a.name, a.port).cmp(&(&b.name, b.port)));
        v
    }
}

#[derive(Clone, Debug, Default)]
enum Kind {
    #[default]
    System,
    Static {
        answers: StaticAnswers,
        loopback_only: bool,
    },
}

/// How probes turn names into addresses.
#[derive(Clone, Debug, Default)]
pub struct Resolver {
    kind: Kind,
}

impl Resolver {
    /// The operating system's resolver (tokio `lookup_host`): production.
    pub fn system() -> Resolver {
        Resolver { kind: Kind::System }
    }

    /// Fixed answers only; names not in them fail. With `loopback_only` (the lab), probes
    /// refuse to connect to any address outside 127.0.0.0/8 and ::1, including
    /// [`ProbeTarget::connect_to`](super::ProbeTarget::connect_to).
    pub fn fixed(answers: StaticAnswers, loopback_only: bool) -> Resolver {
        Resolver {
            kind: Kind::Static {
                answers,
                loopback_only,
            },
        }
    }

    /// The lab's answer file (`<lab dir>/endpoints.json`, written by
    /// [`LabEndpoints`](crate::lab::endpoints::LabEndpoints)); loopback only. The file is read
    /// once: a lab that rebinds a listener later writes a new file.
    ///
    /// # Errors
    /// The file cannot be read or parsed.
    pub fn from_answer_file(path: &Path) -> Result<Resolver, String> {
        #[derive(Deserialize)]
        struct File {
            answers: Vec<Answer>,
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let f: File =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Resolver::fixed(
            StaticAnswers::from_answers(f.answers),
            true,
        ))
    }

    /// Whether probes may connect to `addr` (false for non-loopback addresses in the lab).
    pub fn allows(&self, addr: &SocketAddr) -> bool {
        match &self.kind {
            Kind::System => true,
            Kind::Static { loopback_only, .. } => !loopback_only || addr.ip().is_loopback(),
        }
    }

    /// Resolves `name` for `port`. Literal IP addresses resolve to themselves.
    ///
    /// # Errors
    /// A message saying why (unknown name, resolver error, no addresses).
    pub async fn resolve(&self, name: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
        if let Ok(ip) = name.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let addrs = match &self.kind {
            Kind::System => tokio::net::lookup_host((name, port))
                .await
                .map(|it| it.collect::<Vec<_>>())
                .map_err(|e| format!("{name}: {e}"))?,
            Kind::Static { answers, .. } => answers
                .get(name, port)
                .ok_or_else(|| format!("{name}: no such name in the answers (NXDOMAIN)"))?,
        };
        if addrs.is_empty() {
            return Err(format!("{name}: no addresses"));
        }
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn fixed_answers_exact_then_any_port() {
        let a = StaticAnswers::default();
        a.set(
            "Srv.Contoso.Lab.",
            5041,
            vec!["127.0.0.1:40000".parse().unwrap()],
        );
        a.set("pool.contoso.lab", 0, vec!["127.0.0.2:1".parse().unwrap()]);
        let r = Resolver::fixed(a, true);
        assert_eq!(
            r.resolve("srv.contoso.lab", 5041).await.unwrap(),
            vec!["127.0.0.1:40000".parse().unwrap()]
        );
        assert!(r.resolve("srv.contoso.lab", 443).await.is_err());
        assert_eq!(
            r.resolve("pool.contoso.lab", 443).await.unwrap(),
            vec!["127.0.0.2:443".parse().unwrap()]
        );
        assert!(r.allows(&"127.0.0.1:1".parse().unwrap()));
        assert!(!r.allows(&"10.0.0.1:1".parse().unwrap()));
        assert!(Resolver::system().allows(&"10.0.0.1:1".parse().unwrap()));
    }
}
