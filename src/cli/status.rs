//! `status` (which pools are up, once or until Ctrl-C) and `topology import`.

use std::process::ExitCode;

use super::args::TopologyAction;
use super::context::Context;
use crate::deployment::DeploymentKind;

pub(super) fn status(
    ctx: &Context,
    json: bool,
    once: bool,
    interval: u64,
    timeout: u64,
) -> Result<ExitCode, String> {
    use crate::monitor::{self, MonitorConfig};
    use crate::status as st;
    // The flags set interval and timeout; config.toml adds the internal CA.
    let cfg = MonitorConfig {
        interval: std::time::Duration::from_secs(interval.max(1)),
        timeout: std::time::Duration::from_secs(timeout.max(1)),
        ..ctx
            .config
            .monitor(ctx.profile.kind == DeploymentKind::Lab)?
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let profile = ctx.profile.clone();
    let lab_dir = ctx.paths.lab_dir.clone();
    rt.block_on(async move {
        if once {
            let report = st::status_once(&profile, &lab_dir, cfg).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
                );
            } else {
                print!("{}", st::render_text(&report.snapshot));
                print!("{}", st::render_items(&report.probe_items));
            }
            return Ok(if report.all_up() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        let (lab, resolver, cfg) = st::prepare(&profile, &lab_dir, cfg).await?;
        let targets = monitor::targets_from_profile(&profile);
        let (handle, mut snaps, mut changes) = monitor::Monitor::spawn(targets, cfg, resolver);
        eprintln!("probing every {interval} s; Ctrl-C to stop");
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                Some(c) = changes.recv() => {
                    if !json {
                        println!("{}", monitor::audit_detail(&c));
                    }
                }
                r = snaps.changed() => {
                    if r.is_err() {
                        break;
                    }
                    let s = snaps.borrow_and_update().clone();
                    if json {
                        println!("{}", serde_json::to_string(&*s).map_err(|e| e.to_string())?);
                    } else {
                        print!("{}", st::render_text(&s));
                    }
                }
            }
        }
        handle.stop().await;
        if let Some(lab) = lab {
            lab.shutdown().await;
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub(super) fn topology(action: TopologyAction) -> Result<ExitCode, String> {
    let TopologyAction::Import {
        file,
        merge_into,
        json,
    } = action;
    let out = crate::deployment::topology::import_command(&file, merge_into.as_deref(), json)?;
    print!("{}", crate::safe_text::escape_multiline(&out));
    Ok(ExitCode::SUCCESS)
}
