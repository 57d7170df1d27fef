//! How quickly the wizard answers a key while jobs run: the figure behind the target "a key
//! press is handled within 50 ms while export, import and verify run" (issue 3). The bench
//! command calls this after its data phases, on the lab it built.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::theme::{Theme, ThemeName};
use super::{WizardSetup, build_app, view};
use crate::deployment::Profile;
use crate::jobs::{JobEnv, JobKind};
use crate::runbook::Runbook;
use crate::store::Store;
use crate::wizard::Pending;

/// Key handling time (event + state update + a full 160×48 frame), in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KeyLatency {
    /// Key presses measured.
    pub presses: usize,
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Worst.
    pub max_ms: f64,
    /// The jobs that ran meanwhile.
    pub jobs: Vec<String>,
}

/// Runs the export, the `-WhatIf` preview and the verify on the lab in `lab_dir` from the
/// wizard's own job machinery, pressing a key every 5 ms and timing each.
///
/// # Errors
/// When the wizard cannot be built (the session store).
pub fn key_latency(lab_dir: &Path) -> Result<KeyLatency, String> {
    let mut store = Store::open_in_memory().map_err(|e| e.to_string())?;
    let session = store
        .create_session("bench", "lab", None, "bench")
        .map_err(|e| e.to_string())?;
    let profile = Profile::lab();
    let runbook = Arc::new(Runbook::embedded().map_err(|e| e.to_string())?);
    // The bench works straight on the job items: record the downtime words and one override
    // that acknowledges every item, as an operator going on would.
    let all_items = crate::migration::GateOverride {
        open: runbook.items().map(|i| i.id.clone()).collect(),
        reason: String::new(),
        why: "bench".into(),
    };
    for s in ["shutdown", "export", "import"] {
        store
            .record_event(
                session.id,
                crate::migration::EVENT_DOWNTIME_CONFIRMED,
                Some(s),
                "bench",
                "bench",
            )
            .map_err(|e| e.to_string())?;
    }
    store
        .record_event(
            session.id,
            crate::migration::EVENT_GATE_OVERRIDE,
            Some("verify"),
            &serde_json::to_string(&all_items).unwrap_or_default(),
            "bench",
        )
        .map_err(|e| e.to_string())?;
    let (mut app, mut rx) = build_app(WizardSetup {
        runbook,
        placeholders: profile.placeholders("bench"),
        deployment_name: profile.name.clone(),
        deployment_kind: "lab".into(),
        migration_line: String::new(),
        store,
        session,
        operator: "bench".into(),
        theme: Theme::pick(ThemeName::Dark, false),
        mouse: false,
        job_env: Ok(JobEnv::lab(profile.clone(), lab_dir)),
        job_logs_dir: None,
        reopen: None,
        profile,
        data_dir: None,
        lab_dir: None,
        profile_path: None,
        monitor: Default::default(),
    })
    .map_err(|e| e.to_string())?;
    let mut term = Terminal::new(TestBackend::new(160, 48)).map_err(|e| e.to_string())?;
    app.size = (160, 48);
    app.on_action(super::keymap::Action::Enter);
    let mut samples = Vec::new();
    let mut jobs = Vec::new();
    for kind in [JobKind::Export, JobKind::ImportWhatIf, JobKind::Verify] {
        let Some(item) = app.runbook.job_item(kind).map(|i| i.id.clone()) else {
            continue;
        };
        jobs.push(kind.key().to_string());
        app.request(Pending::RunJob(item.clone()));
        let deadline = Instant::now() + Duration::from_secs(600);
        let mut down = true;
        let running =
            |a: &super::app::App| a.pending.contains(&item) || !a.finished.contains_key(&item);
        while running(&app) && Instant::now() < deadline {
            let t = Instant::now();
            while let Ok(m) = rx.try_recv() {
                app.on_msg(m);
            }
            let code = if down { KeyCode::Down } else { KeyCode::Up };
            down = !down;
            app.on_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
            app.on_tick();
            term.draw(|f| view::draw(f, &app))
                .map_err(|e| e.to_string())?;
            samples.push(t.elapsed().as_secs_f64() * 1000.0);
            std::thread::sleep(Duration::from_millis(5));
        }
        app.overlay = None;
    }
    app.shutdown();
    samples.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        samples
            .get(((samples.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    Ok(KeyLatency {
        presses: samples.len(),
        p50_ms: pick(0.5),
        p99_ms: pick(0.99),
        max_ms: samples.last().copied().unwrap_or(0.0),
        jobs,
    })
}
