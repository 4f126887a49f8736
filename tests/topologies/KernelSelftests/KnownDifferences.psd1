# Lookup id -> why Resolve-NetRoute still answers it differently from `ip route get` (the missing feature).
# Resolve-NetRoute.KernelSelftests.Tests.ps1 skips a listed lookup that differs, fails one that now agrees
# ("remove it from this list") and fails every difference that is not listed here.
@{
}
