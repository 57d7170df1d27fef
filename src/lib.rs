//! pchat-migrate: a guided, resumable, verifiable migration of a Lync Server 2010 Group Chat
//! or OCS 2007 R2 Group Chat pool to a Lync Server 2013 Persistent Chat pool.
//!
//! The layout follows `ARCHITECTURE.md`: domain modules (`runbook`, `deployment`, `chatdata`)
//! do no terminal work; `store` keeps the session; `jobs` runs the data plane in the
//! background; `tui` and `cli` sit on top of everything. Its "Layers" table orders the
//! modules, and `tests/layering.rs` fails on a module that uses one of a higher layer.

pub mod bench;
pub mod chatdata;
pub mod cli;
pub mod coexistence;
pub mod config;
pub mod deployment;
pub mod diagnostics;
pub mod exec;
pub mod executor;
pub mod i18n;
pub mod i18n_check;
pub mod jobs;
pub mod lab;
pub mod logging;
pub mod migration;
pub mod monitor;
pub mod paths;
pub mod pilot;
pub mod pilot_model;
pub mod planner;
pub mod progress;
pub mod report;
pub mod runbook;
pub mod safe_text;
pub mod status;
pub mod store;
pub mod troubleshoot;
pub mod tui;
pub mod wizard;
