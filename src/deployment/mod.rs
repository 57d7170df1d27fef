//! The deployment: the profile the admin writes (sites, pools, servers, ports, SQL
//! instances, users, client populations; [`profile`]) and the import of a published or
//! Topology Builder topology into it ([`topology`]).
//!
//! Every public name of the profile is re-exported here (`deployment::Profile`, …).

pub mod profile;
pub mod topology;

pub use profile::{
    ClientKind, ClientPopulation, DeploymentKind, FactOrigin, LAB_PROFILE_TOML, LegacyEndpoint,
    MigrationSettings, Pool, PoolKind, Profile, ProfileError, Site, User, normalize_sip,
};
