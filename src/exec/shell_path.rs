//! Where the shell named by `[executor] shell` is started from.
//!
//! On Windows a bare `powershell.exe` is **Windows PowerShell 5.1 where Windows installs it**,
//! `%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe` (Microsoft, "Starting Windows
//! PowerShell"; it is the one the Lync Server Management Shell module loads into), not the
//! first `powershell.exe` a search finds: Windows' search for a bare program name looks in
//! the program's own folder first, and that folder is not in `PATH` anyway. A bare `pwsh` is
//! looked up in `PATH`, then in PowerShell 7's default install folder
//! `%ProgramFiles%\PowerShell\7\pwsh.exe`. A path in the profile (with `\` or `/`) is used
//! as written. Elsewhere than Windows the name is passed on unchanged (`pwsh` from `PATH`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The program to start for `shell` on this computer (see the module documentation).
pub fn resolve(shell: &str) -> PathBuf {
    resolve_with(
        shell,
        cfg!(windows),
        |k| std::env::var_os(k),
        |p| p.is_file(),
    )
}

/// [`resolve`] with the platform, the environment and the file test given, so the Windows
/// rules can be tested anywhere. Windows paths are built with `\` whatever the host.
pub fn resolve_with(
    shell: &str,
    windows: bool,
    env: impl Fn(&str) -> Option<OsString>,
    exists: impl Fn(&Path) -> bool,
) -> PathBuf {
    let shell = shell.trim();
    if !windows || shell.contains(['\\', '/', ':']) {
        return PathBuf::from(shell);
    }
    let join = |base: OsString, rest: &str| {
        let mut s = base;
        if !s.to_string_lossy().ends_with('\\') {
            s.push("\\");
        }
        s.push(rest);
        PathBuf::from(s)
    };
    let name = shell.to_ascii_lowercase();
    match name.as_str() {
        "powershell" | "powershell.exe" => {
            let root = env("SystemRoot")
                .or_else(|| env("windir"))
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| OsString::from("C:\\Windows"));
            let full = join(root, "System32\\WindowsPowerShell\\v1.0\\powershell.exe");
            if exists(&full) {
                return full;
            }
        }
        "pwsh" | "pwsh.exe" => {
            let on_path = env("PATH").and_then(|path| {
                path.to_string_lossy()
                    .split(';')
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .map(|d| join(OsString::from(d.trim_matches('"')), "pwsh.exe"))
                    .find(|p| exists(p))
            });
            if let Some(p) = on_path {
                return p;
            }
            if let Some(pf) = env("ProgramFiles").filter(|r| !r.is_empty()) {
                let full = join(pf, "PowerShell\\7\\pwsh.exe");
                if exists(&full) {
                    return full;
                }
            }
        }
        _ => {}
    }
    // Not where expected: let the system search, and the spawn error say what is missing.
    PathBuf::from(shell)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn on(shell: &str, vars: &[(&str, &str)], files: &[&str]) -> String {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        resolve_with(
            shell,
            true,
            |k| vars.get(k).map(OsString::from),
            |p| files.iter().any(|f| Path::new(f) == p),
        )
        .to_string_lossy()
        .into_owned()
    }

    #[test]
    fn windows_powershell_is_taken_from_system_root_not_a_search() {
        let ps = "D:\\Win dows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
        let planted = "C:\\Tools\\powershell.exe";
        let vars = [("SystemRoot", "D:\\Win dows"), ("PATH", "C:\\Tools")];
        assert_eq!(on("powershell.exe", &vars, &[ps, planted]), ps);
        assert_eq!(on("PowerShell", &vars, &[ps]), ps);
        // windir when SystemRoot is unset; C:\Windows when both are.
        let w = "E:\\W\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
        assert_eq!(on("powershell.exe", &[("windir", "E:\\W\\")], &[w]), w);
        let c = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
        assert_eq!(on("powershell.exe", &[], &[c]), c);
        // Missing: the bare name, so the spawn error names it.
        assert_eq!(on("powershell.exe", &vars, &[]), "powershell.exe");
    }

    #[test]
    fn pwsh_comes_from_path_then_program_files() {
        let mine = "C:\\Users\\ädmin\\pwsh 7\\pwsh.exe";
        let pf = "C:\\Program Files\\PowerShell\\7\\pwsh.exe";
        let vars = [
            ("PATH", "C:\\Windows;\"C:\\Users\\ädmin\\pwsh 7\";"),
            ("ProgramFiles", "C:\\Program Files"),
        ];
        assert_eq!(on("pwsh", &vars, &[mine, pf]), mine);
        assert_eq!(on("pwsh.exe", &vars, &[pf]), pf);
        assert_eq!(on("pwsh", &vars, &[]), "pwsh");
    }

    #[test]
    fn a_path_in_the_profile_is_used_as_written() {
        let p = "C:\\Program Files\\PowerShell\\7-preview\\pwsh.exe";
        assert_eq!(on(p, &[("ProgramFiles", "C:\\Program Files")], &[]), p);
        assert_eq!(on("./pwsh", &[], &[]), "./pwsh");
        // Not Windows: unchanged.
        let r = resolve_with("powershell.exe", false, |_| None, |_| true);
        assert_eq!(r, PathBuf::from("powershell.exe"));
    }
}
