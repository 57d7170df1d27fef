//! Every script the executor would run, and every runbook command line filled for a
//! production profile, parses with a real PowerShell grammar (tree-sitter-powershell): no
//! error node, no missing node. Lines starting with `#` describe a step that is not
//! PowerShell (a GUI, a file to read) and are left out; the grammar rejects a file holding
//! only a comment, which says nothing about the commands.

use std::path::Path;

use pchat_migrate::deployment::{LAB_PROFILE_TOML, Profile};
use pchat_migrate::exec::{ExecutorConfig, Remote, Task, runbook_placeholders, script_for_task};
use pchat_migrate::jobs::JobEnv;
use pchat_migrate::runbook::{Runbook, render_cmdlets};

/// The profile of a production migration that sets every option the scripts render.
fn production() -> Profile {
    let text = LAB_PROFILE_TOML
        .replace("kind = \"lab\"", "kind = \"production\"")
        .replace("work_dir = \"\"", "work_dir = 'C:\\PChat Migration\\Ü'")
        .replace("scope = []", "scope = [\"Engineering\", \"O'Brien & Co\"]")
        .replace("start_date = \"\"", "start_date = \"2012-01-01\"")
        .replace("export_level = \"All\"", "export_level = \"RoomDirectory\"")
        .replace(
            "disable_exported_nodes = false",
            "disable_exported_nodes = true",
        );
    Profile::parse(&text, Path::new("prod.toml")).unwrap()
}

/// The grammar's complaints about `src`: each error or missing node with its position.
fn errors(src: &str) -> Vec<String> {
    let mut p = tree_sitter::Parser::new();
    p.set_language(&tree_sitter_powershell::LANGUAGE.into())
        .unwrap();
    let tree = p.parse(src, None).expect("the parser returns a tree");
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        if n.is_error() || n.is_missing() {
            let end = n.end_byte().min(n.start_byte() + 80);
            out.push(format!(
                "line {}, column {}: {}{:?}",
                n.start_position().row + 1,
                n.start_position().column + 1,
                if n.is_missing() { "missing " } else { "" },
                &src[n.start_byte()..end]
            ));
        }
        let mut c = n.walk();
        stack.extend(n.children(&mut c));
    }
    out
}

#[test]
fn the_grammar_finds_errors_when_there_are_some() {
    assert!(errors("Get-CsUser -Identity 'a'\n").is_empty());
    assert!(!errors("Get-CsUser -Identity ('a'\n").is_empty());
    assert!(!errors("if ($x) { Get-Date\n").is_empty());
}

#[test]
fn every_generated_script_parses() {
    let profile = production();
    for remote in [Remote::None, Remote::WinRm, Remote::Ssh] {
        let cfg = match remote {
            Remote::None => ExecutorConfig::default(),
            Remote::WinRm => ExecutorConfig {
                remote,
                computer: "pchat01.contoso.lab".into(),
                credential: "C:\\creds\\pchat admin.xml".into(),
                ..ExecutorConfig::default()
            },
            Remote::Ssh => ExecutorConfig {
                remote,
                shell: "pwsh".into(),
                computer: "pchat01.contoso.lab".into(),
                user: "pcm-admin".into(),
                ..ExecutorConfig::default()
            },
        };
        let env = JobEnv::production(profile.clone(), cfg.clone(), Path::new("/tmp/pcm"));
        for task in Task::ALL {
            let script = script_for_task(task, &env, &cfg)
                .unwrap_or_else(|e| panic!("{} ({remote:?}): {e}", task.key()));
            let errs = errors(&script.text);
            assert!(
                errs.is_empty(),
                "{} ({remote:?}) does not parse:\n{}\n---\n{}",
                task.key(),
                errs.join("\n"),
                script.text
            );
        }
    }
}

#[test]
fn every_runbook_command_line_parses() {
    let profile = production();
    let values = runbook_placeholders(
        &profile,
        "C:\\PChat Migration\\Ü",
        &ExecutorConfig::default(),
    );
    let rb = Runbook::embedded().unwrap();
    let mut commands = 0;
    for item in rb.items().chain(rb.rollback.items.iter()) {
        let lines = render_cmdlets(item, &values).unwrap_or_else(|e| panic!("{}: {e}", item.id));
        for line in lines.iter().filter(|l| !l.trim_start().starts_with('#')) {
            commands += 1;
            let errs = errors(&format!("{line}\n"));
            assert!(errs.is_empty(), "{}: {line}\n{}", item.id, errs.join("\n"));
        }
    }
    assert!(commands > 100, "only {commands} command lines");
}
