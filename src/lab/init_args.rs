//! The flags of `pchat-migrate lab init` (kept here so the command line only names them).

use super::{LabSpec, SIZES};

/// `lab init`: a named size and/or explicit counts; deterministic per seed.
#[derive(Clone, Debug, Default, PartialEq, Eq, clap::Args)]
pub struct LabInitArgs {
    /// Named size: small (~20 000 messages), medium (~1 million), large (~10 million, a few
    /// GB). Without it: the rehearsal lab (small, without over-long names).
    #[arg(long, value_parser = SIZES)]
    pub size: Option<String>,
    /// Messages in total (overrides the size).
    #[arg(long, value_name = "N")]
    pub messages: Option<u64>,
    /// Rooms.
    #[arg(long, value_name = "N")]
    pub rooms: Option<u32>,
    /// Users.
    #[arg(long, value_name = "N")]
    pub users: Option<u32>,
    /// AD groups.
    #[arg(long, value_name = "N")]
    pub groups: Option<u32>,
    /// Categories directly under the root.
    #[arg(long, value_name = "N")]
    pub categories: Option<u32>,
    /// Deepest category level (1 = no sub-categories).
    #[arg(long, value_name = "N")]
    pub depth: Option<u32>,
    /// Rooms whose names pass 256 characters once flattened (refused by the import).
    #[arg(long, value_name = "N")]
    pub long_names: Option<u32>,
    /// Generator seed (same seed and counts, same data).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replace an existing lab.
    #[arg(long)]
    pub force: bool,
}

impl LabInitArgs {
    /// The spec these flags describe.
    ///
    /// # Errors
    /// An unknown size or a zero count where one is needed.
    pub fn spec(&self) -> Result<LabSpec, String> {
        let mut s = match &self.size {
            Some(name) => LabSpec::preset(name)
                .ok_or_else(|| format!("unknown size \"{name}\": use small, medium or large"))?,
            None => LabSpec::default(),
        };
        if let Some(v) = self.messages {
            s.messages = v;
        }
        if let Some(v) = self.rooms {
            s.rooms = v;
        }
        if let Some(v) = self.users {
            s.users = v;
        }
        if let Some(v) = self.groups {
            s.groups = v;
        }
        if let Some(v) = self.categories {
            s.top_categories = v;
        }
        if let Some(v) = self.depth {
            s.max_depth = v;
        }
        if let Some(v) = self.long_names {
            s.long_names = v;
        }
        if let Some(v) = self.seed {
            s.seed = v;
        }
        if s.messages > 0 && s.rooms == 0 {
            return Err("--rooms 0 cannot hold messages: give at least one room".into());
        }
        if s.rooms > 0 && s.top_categories == 0 {
            return Err("--categories 0 leaves the rooms without a category".into());
        }
        if s.users < 3 {
            return Err("--users must be at least 3 (the lab's pilot and legacy users)".into());
        }
        if s.long_names > s.rooms.saturating_sub(2) {
            return Err(format!(
                "--long-names {} needs at least {} rooms",
                s.long_names,
                s.long_names + 2
            ));
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_overrides() {
        let a = LabInitArgs::default();
        assert_eq!(a.spec().unwrap(), LabSpec::default());
        let a = LabInitArgs {
            size: Some("medium".into()),
            rooms: Some(50),
            seed: Some(7),
            ..LabInitArgs::default()
        };
        let s = a.spec().unwrap();
        assert_eq!((s.messages, s.rooms, s.seed), (1_000_000, 50, 7));
        assert_eq!(s.long_names, 1);
        let a = LabInitArgs {
            size: Some("huge".into()),
            ..LabInitArgs::default()
        };
        assert!(a.spec().unwrap_err().contains("huge"));
        let a = LabInitArgs {
            rooms: Some(0),
            ..LabInitArgs::default()
        };
        assert!(a.spec().is_err());
    }
}
