/*
 * Stand-in for powershell.exe under Wine, used by tests/wine.rs (test scaffolding only; there
 * is no PowerShell and no Lync server here). It runs nothing: it records what pchat-migrate
 * gave it and behaves as the test asks, so the Windows-only code can be watched working.
 *
 * Beside this .exe (the test copies it into a folder of its own and names it powershell.exe):
 *   scenario    what to do: "exit" (default: record, print a line, exit 1); "hang" (record,
 *               start a child that writes a heartbeat file every 100 ms, then wait forever);
 *               "orphan" (as "hang", but exit 1 at once, leaving the child behind)
 * It writes, beside itself:
 *   cmdline.txt   its command line (UTF-16LE, as GetCommandLineW gives it)
 *   self.txt      its own path (UTF-16LE, GetModuleFileNameW)
 *   stdin.txt     every byte it read on standard input (the credential lines, if any)
 *   heartbeat.txt (hang) the child's tick count, rewritten every 100 ms
 *
 * Other forms:
 *   powershell.exe --heartbeat FILE      the child of "hang"
 *   powershell.exe --store-credential TARGET USER PASSWORD
 *                                        stores a generic credential (CredWriteW, UTF-16LE
 *                                        blob, as cmdkey does) for the credman test
 */
#include <windows.h>
#include <wincred.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static wchar_t here[MAX_PATH];

static void beside(wchar_t *out, const wchar_t *name)
{
    _snwprintf(out, MAX_PATH, L"%ls\\%ls", here, name);
}

static void write_file(const wchar_t *name, const void *data, DWORD len)
{
    wchar_t path[MAX_PATH];
    DWORD n;
    HANDLE h;
    beside(path, name);
    h = CreateFileW(path, GENERIC_WRITE, FILE_SHARE_READ, NULL, CREATE_ALWAYS, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        ExitProcess(3);
    WriteFile(h, data, len, &n, NULL);
    CloseHandle(h);
}

static int heartbeat(const wchar_t *file)
{
    for (;;) { /* until the job object ends it */
        char buf[32];
        DWORD n;
        HANDLE h = CreateFileW(file, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                               CREATE_ALWAYS, 0, NULL);
        int len = snprintf(buf, sizeof buf, "%lu\n", (unsigned long)GetTickCount());
        if (h != INVALID_HANDLE_VALUE) {
            WriteFile(h, buf, (DWORD)len, &n, NULL);
            CloseHandle(h);
        }
        Sleep(100);
    }
    return 0;
}

static int store_credential(const wchar_t *target, const wchar_t *user, const wchar_t *pass)
{
    CREDENTIALW c;
    ZeroMemory(&c, sizeof c);
    c.Type = CRED_TYPE_GENERIC;
    c.TargetName = (LPWSTR)target;
    c.UserName = (LPWSTR)user;
    c.CredentialBlob = (LPBYTE)pass;
    c.CredentialBlobSize = (DWORD)(wcslen(pass) * sizeof(wchar_t));
    c.Persist = CRED_PERSIST_LOCAL_MACHINE;
    if (!CredWriteW(&c, 0)) {
        fprintf(stderr, "CredWriteW failed: %lu\n", GetLastError());
        return 1;
    }
    return 0;
}

int wmain(int argc, wchar_t **argv)
{
    wchar_t self[MAX_PATH], path[MAX_PATH], *slash, *cmdline;
    char scenario[32] = "exit", buf[4096], *all = NULL;
    DWORD n, total = 0;
    HANDLE in, f;

    if (argc == 3 && wcscmp(argv[1], L"--heartbeat") == 0)
        return heartbeat(argv[2]);
    if (argc == 5 && wcscmp(argv[1], L"--store-credential") == 0)
        return store_credential(argv[2], argv[3], argv[4]);

    GetModuleFileNameW(NULL, self, MAX_PATH);
    wcscpy(here, self);
    slash = wcsrchr(here, L'\\');
    if (slash)
        *slash = 0;
    cmdline = GetCommandLineW();
    write_file(L"cmdline.txt", cmdline, (DWORD)(wcslen(cmdline) * sizeof(wchar_t)));
    write_file(L"self.txt", self, (DWORD)(wcslen(self) * sizeof(wchar_t)));

    beside(path, L"scenario");
    f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (f != INVALID_HANDLE_VALUE) {
        if (ReadFile(f, scenario, sizeof scenario - 1, &n, NULL)) {
            scenario[n] = 0;
            while (n > 0 && (scenario[n - 1] == '\n' || scenario[n - 1] == '\r'))
                scenario[--n] = 0;
        }
        CloseHandle(f);
    }

    /* Standard input until EOF: pchat-migrate writes the credential (if any), then closes. */
    in = GetStdHandle(STD_INPUT_HANDLE);
    while (ReadFile(in, buf, sizeof buf, &n, NULL) && n > 0) {
        all = realloc(all, total + n);
        memcpy(all + total, buf, n);
        total += n;
    }
    write_file(L"stdin.txt", all ? all : "", total);

    /* UTF-8 on the pipe, as PowerShell's output is read. */
    {
        char utf8[4 * MAX_PATH];
        WideCharToMultiByte(CP_UTF8, 0, self, -1, utf8, sizeof utf8, NULL, NULL);
        printf("fake powershell started as %s\n", utf8);
        fflush(stdout);
    }

    if (strcmp(scenario, "hang") == 0 || strcmp(scenario, "orphan") == 0) {
        STARTUPINFOW si;
        PROCESS_INFORMATION pi;
        wchar_t child[3 * MAX_PATH], beat[MAX_PATH];
        ZeroMemory(&si, sizeof si);
        si.cb = sizeof si;
        beside(beat, L"heartbeat.txt");
        _snwprintf(child, 3 * MAX_PATH, L"\"%ls\" --heartbeat \"%ls\"", self, beat);
        if (!CreateProcessW(NULL, child, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
            fprintf(stderr, "cannot start the heartbeat child: %lu\n", GetLastError());
            return 4;
        }
        printf("heartbeat child pid %lu\n", (unsigned long)pi.dwProcessId);
        fflush(stdout);
        if (strcmp(scenario, "hang") == 0)
            Sleep(INFINITE);
    }
    return 1;
}
