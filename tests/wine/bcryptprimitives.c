/*
 * Test scaffolding for Wine only; never shipped with pchat-migrate.
 *
 * Rust's standard library (1.78 and newer) asks bcryptprimitives.dll for ProcessPrng, the
 * user-mode random generator of Windows 10 and newer. Debian's Wine 8.0 has no such DLL, so a
 * Windows build does not even start under it. This stand-in exports ProcessPrng and fills the
 * buffer with RtlGenRandom (advapi32's SystemFunction036), which Wine does implement.
 * scripts/windows-build.sh builds it with mingw-w64 and puts it beside the .exe it tests.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* Signature as documented for bcryptprimitives!ProcessPrng: always returns TRUE. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* RtlGenRandom takes a ULONG length: feed it in chunks. */
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) {
            /* ProcessPrng cannot fail; a stand-in that cannot fill the buffer must not lie. */
            RaiseException(0xE0000001, EXCEPTION_NONCONTINUABLE, 0, NULL);
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
