//! The process tree of one PowerShell run: started so that it can be ended as a whole.
//!
//! PowerShell starts children of its own (remoting helpers, `sqlcmd`, whatever a cmdlet
//! runs); ending only the shell would leave them running with our pipes. So:
//!
//! * **Unix**: the shell leads a new process group; the group is killed (`SIGKILL`).
//! * **Windows**: the shell starts suspended, is put into a new **Job Object** before it runs
//!   a single instruction, then resumed, so everything it starts is in the job too.
//!   Ending the tree is `TerminateJobObject`; the job is created with
//!   `JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE`, so when this program ends (or the run's
//!   [`ProcessTree`] is dropped) nothing of the tree outlives it. Facts from Microsoft's
//!   "Job Objects", `CreateProcessW` (`CREATE_SUSPENDED`, `CREATE_BREAKAWAY_FROM_JOB`) and
//!   `JOBOBJECT_BASIC_LIMIT_INFORMATION` pages. Nested jobs (pchat-migrate itself inside a
//!   job) need Windows 8 / Server 2012 or newer; on older systems the shell is started to
//!   break away from the outer job, and if that is refused the run does not start.

use std::process::{Child, Command};

/// A started shell whose whole tree can be ended. Dropping it on Windows closes the job,
/// which ends whatever of the tree is still running.
#[derive(Debug)]
pub struct ProcessTree {
    #[cfg(unix)]
    pgid: u32,
    #[cfg(windows)]
    job: windows::Job,
}

impl ProcessTree {
    /// Spawns `cmd` as the root of a new tree.
    ///
    /// # Errors
    /// The spawn error, or (Windows) the reason the shell could not be put into a job
    /// object; the shell is then already ended.
    pub fn spawn(cmd: &mut Command) -> std::io::Result<(Child, ProcessTree)> {
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
            let child = cmd.spawn()?;
            let pgid = child.id();
            Ok((child, ProcessTree { pgid }))
        }
        #[cfg(windows)]
        {
            let (child, job) = windows::spawn_in_job(cmd)?;
            Ok((child, ProcessTree { job }))
        }
    }

    /// Ends the shell and everything it started, and reaps the shell. When this returns the
    /// tree is gone (Windows: the job reports no active process, waited for up to 5 s).
    pub fn kill(&self, child: &mut Child) {
        #[cfg(unix)]
        kill_group(self.pgid);
        #[cfg(windows)]
        self.job.terminate();
        let _ = child.kill();
        let _ = child.wait();
    }

    /// After the shell exited: ends what it left behind (children still holding the pipes).
    pub fn kill_leftovers(&self) {
        #[cfg(unix)]
        kill_group(self.pgid);
        #[cfg(windows)]
        self.job.terminate();
    }

    /// How many processes of the tree are running (Windows: from the job's accounting;
    /// Unix: `None`, the group is not counted).
    pub fn active_processes(&self) -> Option<u32> {
        #[cfg(windows)]
        return self.job.active_processes();
        #[cfg(not(windows))]
        None
    }
}

#[cfg(unix)]
fn kill_group(pgid: u32) {
    if let Ok(pgid) = libc::pid_t::try_from(pgid) {
        // SAFETY: kill(2) with a negative pid signals the process group; no memory is touched.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

#[cfg(windows)]
mod windows {
    use std::io;
    use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};
    use std::os::windows::process::CommandExt;
    use std::process::{Child, Command};
    use std::time::{Duration, Instant};

    use windows_sys::Win32::Foundation::{ERROR_ACCESS_DENIED, INVALID_HANDLE_VALUE};
    use windows_sys::Win32::System::Diagnostics::ToolHelp::{
        CreateToolhelp32Snapshot, TH32CS_SNAPTHREAD, THREADENTRY32, Thread32First, Thread32Next,
    };
    use windows_sys::Win32::System::JobObjects::{
        AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
        JOBOBJECT_BASIC_ACCOUNTING_INFORMATION, JOBOBJECT_EXTENDED_LIMIT_INFORMATION,
        JobObjectBasicAccountingInformation, JobObjectExtendedLimitInformation,
        QueryInformationJobObject, SetInformationJobObject, TerminateJobObject,
    };
    use windows_sys::Win32::System::Threading::{
        CREATE_BREAKAWAY_FROM_JOB, CREATE_NEW_PROCESS_GROUP, CREATE_NO_WINDOW, CREATE_SUSPENDED,
        OpenThread, ResumeThread, THREAD_SUSPEND_RESUME,
    };

    /// How long [`Job::terminate`] waits for the job to be empty.
    const TERMINATE_WAIT: Duration = Duration::from_secs(5);

    /// A job object handle (closed on drop, which ends the processes still in it).
    #[derive(Debug)]
    pub struct Job(OwnedHandle);

    impl Job {
        fn new() -> io::Result<Job> {
            // SAFETY: no security attributes, no name; the returned handle is checked.
            let h = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
            if h.is_null() {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `h` is a new handle that nothing else owns.
            let job = Job(unsafe { OwnedHandle::from_raw_handle(h) });
            let mut info = JOBOBJECT_EXTENDED_LIMIT_INFORMATION::default();
            info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            // SAFETY: `info` is a properly sized, initialised struct of the named class.
            let ok = unsafe {
                SetInformationJobObject(
                    job.raw(),
                    JobObjectExtendedLimitInformation,
                    (&raw const info).cast(),
                    size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
                )
            };
            if ok == 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(job)
        }

        fn raw(&self) -> *mut std::ffi::c_void {
            self.0.as_raw_handle()
        }

        fn assign(&self, child: &Child) -> io::Result<()> {
            // SAFETY: both handles are valid for the duration of the call.
            if unsafe { AssignProcessToJobObject(self.raw(), child.as_raw_handle()) } == 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        }

        /// Ends every process in the job and waits (bounded) until none is left.
        pub fn terminate(&self) {
            // SAFETY: the handle is valid; exit code 1 for every process of the job.
            unsafe {
                TerminateJobObject(self.raw(), 1);
            }
            let until = Instant::now() + TERMINATE_WAIT;
            while self.active_processes().is_some_and(|n| n > 0) && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(10));
            }
        }

        /// The job's count of running processes.
        pub fn active_processes(&self) -> Option<u32> {
            let mut info = JOBOBJECT_BASIC_ACCOUNTING_INFORMATION::default();
            // SAFETY: `info` is a properly sized out-buffer of the named class.
            let ok = unsafe {
                QueryInformationJobObject(
                    self.raw(),
                    JobObjectBasicAccountingInformation,
                    (&raw mut info).cast(),
                    size_of::<JOBOBJECT_BASIC_ACCOUNTING_INFORMATION>() as u32,
                    std::ptr::null_mut(),
                )
            };
            (ok != 0).then_some(info.ActiveProcesses)
        }
    }

    /// Starts `cmd` suspended, puts it into a new job, then lets it run.
    pub fn spawn_in_job(cmd: &mut Command) -> io::Result<(Child, Job)> {
        // No console of its own (it must not touch the wizard's console), own process group.
        let base = CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW | CREATE_SUSPENDED;
        let job = Job::new()?;
        cmd.creation_flags(base);
        let mut child = cmd.spawn()?;
        if let Err(e) = job.assign(&child) {
            let _ = child.kill();
            let _ = child.wait();
            // Before Windows 8 a process in a job cannot join another one: leave the outer
            // job (allowed unless it forbids breakaway).
            if e.raw_os_error() != Some(ERROR_ACCESS_DENIED as i32) {
                return Err(job_error(e));
            }
            cmd.creation_flags(base | CREATE_BREAKAWAY_FROM_JOB);
            child = cmd.spawn().map_err(job_error)?;
            if let Err(e) = job.assign(&child) {
                let _ = child.kill();
                let _ = child.wait();
                return Err(job_error(e));
            }
        }
        if let Err(e) = resume(child.id()) {
            job.terminate();
            let _ = child.wait();
            return Err(e);
        }
        Ok((child, job))
    }

    fn job_error(e: io::Error) -> io::Error {
        io::Error::new(
            e.kind(),
            format!(
                "cannot put PowerShell into a job object, so cancel could not end its process tree ({e}); \
                 pchat-migrate runs inside a job that forbids this: start it from a plain console window"
            ),
        )
    }

    /// Resumes the threads of a process started with `CREATE_SUSPENDED` (it has one).
    fn resume(pid: u32) -> io::Result<()> {
        // SAFETY: a snapshot of all threads; the handle is checked and closed by OwnedHandle.
        let snap = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0) };
        if snap == INVALID_HANDLE_VALUE {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a valid handle that nothing else owns.
        let snap = unsafe { OwnedHandle::from_raw_handle(snap) };
        let mut entry = THREADENTRY32 {
            dwSize: size_of::<THREADENTRY32>() as u32,
            ..THREADENTRY32::default()
        };
        let mut resumed = 0;
        // SAFETY: `entry` is initialised with its size, as Thread32First/Next require.
        let mut more = unsafe { Thread32First(snap.as_raw_handle(), &raw mut entry) } != 0;
        while more {
            if entry.th32OwnerProcessID == pid {
                // SAFETY: OpenThread returns null or a handle we own.
                let t = unsafe { OpenThread(THREAD_SUSPEND_RESUME, 0, entry.th32ThreadID) };
                if !t.is_null() {
                    // SAFETY: as above.
                    let t = unsafe { OwnedHandle::from_raw_handle(t) };
                    // SAFETY: a valid thread handle with THREAD_SUSPEND_RESUME access.
                    if unsafe { ResumeThread(t.as_raw_handle()) } != u32::MAX {
                        resumed += 1;
                    }
                }
            }
            // SAFETY: as for Thread32First.
            more = unsafe { Thread32Next(snap.as_raw_handle(), &raw mut entry) } != 0;
        }
        if resumed == 0 {
            return Err(io::Error::other(format!(
                "PowerShell (pid {pid}) was started suspended and could not be resumed"
            )));
        }
        Ok(())
    }
}
