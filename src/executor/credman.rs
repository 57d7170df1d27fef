//! Credentials kept in the **Windows Credential Manager** (`[executor] credential =
//! "credman:TARGET"`).
//!
//! The admin stores the account once, as a *generic* credential of their own Windows user:
//! `cmdkey /generic:TARGET /user:CONTOSO\pchatadmin /pass` (asks for the password), or Control
//! Panel → Credential Manager → Windows Credentials → "Add a generic credential". Windows
//! keeps it encrypted for that user (DPAPI); pchat-migrate reads it with `CredReadW`
//! (`CRED_TYPE_GENERIC`) when a run starts, and from then on it travels exactly like a typed
//! password: a [`Secret`] that is zeroized on drop, on PowerShell's standard input only, and
//! removed from every output line. The password blob of a generic credential written by
//! `cmdkey` or the Control Panel is UTF-16LE without a terminator (Microsoft's `CREDENTIALW`
//! page: "CredentialBlob … the application defines the byte-array format"; the two tools
//! write the text as wide characters).
//!
//! Only generic credentials can be read: the blob of a *Windows* (domain password)
//! credential is readable by the system only (same page).

use zeroize::Zeroizing;

use super::credential::{Credential, Secret};

/// The prefix of `[executor] credential` that names a Credential Manager entry.
pub const PREFIX: &str = "credman:";

/// The Credential Manager target named by a `credential` value, if it is `credman:TARGET`
/// (prefix case-insensitive, target trimmed; an empty target is `Some("")`, which the
/// profile check refuses).
pub fn target_of(value: &str) -> Option<&str> {
    let v = value.trim();
    let head = v.get(..PREFIX.len())?;
    head.eq_ignore_ascii_case(PREFIX)
        .then(|| v[PREFIX.len()..].trim())
}

/// Decodes a generic credential's password blob (UTF-16LE, optionally NUL-terminated).
///
/// # Errors
/// A message naming `target` (never the content) when the blob is empty, has an odd length,
/// or is not valid UTF-16.
pub fn decode_blob(target: &str, blob: &[u8]) -> Result<Secret, String> {
    if !blob.len().is_multiple_of(2) {
        return Err(format!(
            "the password of the generic credential {target} in Windows Credential Manager is not text (odd length); store it again with cmdkey /generic:{target} /user:<account> /pass"
        ));
    }
    let units: Zeroizing<Vec<u16>> = Zeroizing::new(
        blob.chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect(),
    );
    let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
    let text = String::from_utf16(&units[..end]).map_err(|_| {
        format!("the password of the generic credential {target} in Windows Credential Manager is not valid text; store it again with cmdkey")
    })?;
    if text.is_empty() {
        return Err(format!(
            "the generic credential {target} in Windows Credential Manager has no password; store it again with cmdkey /generic:{target} /user:<account> /pass"
        ));
    }
    Ok(Secret::new(text))
}

/// Reads the generic credential `target` of the current Windows user.
///
/// # Errors
/// Not found (with the `cmdkey` line that adds it), no user name in it, an unreadable
/// password, or, on other systems than Windows, that Credential Manager exists only there.
/// Messages never contain the password.
pub fn read(target: &str) -> Result<Credential, String> {
    let (user, password) = read_raw(target)?;
    if user.trim().is_empty() {
        return Err(format!(
            "the generic credential {target} in Windows Credential Manager has no user name; store it again with cmdkey /generic:{target} /user:DOMAIN\\user /pass"
        ));
    }
    Credential::new(user, password)
        .map_err(|e| format!("the generic credential {target} in Windows Credential Manager: {e}"))
}

#[cfg(not(windows))]
fn read_raw(target: &str) -> Result<(String, Secret), String> {
    Err(format!(
        "credential = \"credman:{target}\" reads Windows Credential Manager, which exists only on Windows; on this computer use credential = \"prompt\" or a CliXml file"
    ))
}

#[cfg(windows)]
fn read_raw(target: &str) -> Result<(String, Secret), String> {
    use windows_sys::Win32::Foundation::ERROR_NOT_FOUND;
    use windows_sys::Win32::Security::Credentials::{
        CRED_TYPE_GENERIC, CREDENTIALW, CredFree, CredReadW,
    };

    let wide: Vec<u16> = target.encode_utf16().chain(std::iter::once(0)).collect();
    let mut p: *mut CREDENTIALW = std::ptr::null_mut();
    // SAFETY: `wide` is NUL-terminated; `p` receives a buffer that CredFree releases.
    let ok = unsafe { CredReadW(wide.as_ptr(), CRED_TYPE_GENERIC, 0, &raw mut p) };
    if ok == 0 || p.is_null() {
        let e = std::io::Error::last_os_error();
        return Err(if e.raw_os_error() == Some(ERROR_NOT_FOUND as i32) {
            format!(
                "Windows Credential Manager has no generic credential {target} for this Windows user; add it with: cmdkey /generic:{target} /user:DOMAIN\\user /pass"
            )
        } else {
            format!(
                "cannot read the generic credential {target} from Windows Credential Manager: {e}"
            )
        });
    }
    // SAFETY: CredReadW succeeded, so `p` points to a CREDENTIALW whose blob has
    // CredentialBlobSize bytes and whose UserName is null or NUL-terminated; both live until
    // CredFree below.
    let result = unsafe {
        let c = &*p;
        let blob: &mut [u8] = if c.CredentialBlob.is_null() {
            &mut []
        } else {
            std::slice::from_raw_parts_mut(c.CredentialBlob, c.CredentialBlobSize as usize)
        };
        let user = wide_str(c.UserName);
        let password = decode_blob(target, blob);
        // Our copy is in the Secret now: wipe Windows' copy before handing it back.
        for b in blob.iter_mut() {
            std::ptr::write_volatile(b, 0);
        }
        password.map(|pw| (user, pw))
    };
    // SAFETY: `p` came from CredReadW and is freed once.
    unsafe { CredFree(p.cast()) };
    result
}

/// A NUL-terminated UTF-16 string (null: empty).
///
/// # Safety
/// `p` is null or points to a NUL-terminated UTF-16 string.
#[cfg(windows)]
unsafe fn wide_str(p: *const u16) -> String {
    if p.is_null() {
        return String::new();
    }
    let mut n = 0;
    // SAFETY: the caller promises a terminator.
    while unsafe { *p.add(n) } != 0 {
        n += 1;
    }
    // SAFETY: `n` units before the terminator are readable.
    String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(p, n) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn the_target_follows_the_prefix() {
        assert_eq!(target_of("credman:pchat-migrate"), Some("pchat-migrate"));
        assert_eq!(target_of(" CredMan: LyncAdmin "), Some("LyncAdmin"));
        assert_eq!(target_of("credman:"), Some(""));
        assert_eq!(target_of("C:\\creds\\admin.xml"), None);
        assert_eq!(target_of("prompt"), None);
        assert_eq!(target_of(""), None);
    }

    #[test]
    fn the_blob_is_utf16_text() {
        assert_eq!(
            decode_blob("t", &utf16("pässwörd 秘")).unwrap().expose(),
            "pässwörd 秘"
        );
        // Some tools store the terminator too.
        let mut with_nul = utf16("x1");
        with_nul.extend([0, 0]);
        assert_eq!(decode_blob("t", &with_nul).unwrap().expose(), "x1");
    }

    #[test]
    fn a_bad_blob_is_named_without_its_content() {
        for blob in [vec![b's', b'e', b'c'], vec![], vec![0, 0], vec![0x00, 0xD8]] {
            let e = decode_blob("pchat", &blob).unwrap_err();
            assert!(e.contains("pchat") && e.contains("cmdkey"), "{e}");
            assert!(!e.contains("sec"), "{e}");
        }
    }

    #[cfg(not(windows))]
    #[test]
    fn elsewhere_than_windows_it_says_where_it_works() {
        let e = read("pchat").unwrap_err();
        assert!(e.contains("only on Windows") && e.contains("prompt"), "{e}");
    }
}
