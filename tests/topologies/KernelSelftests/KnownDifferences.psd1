# Lookup id -> why Resolve-NetRoute still answers it differently from `ip route get` (the missing feature), as a
# string. Resolve-NetRoute.KernelSelftests.Tests.ps1 skips a listed lookup that differs (or differs only by a hash
# the cmdlet cannot compute: HashNotComputed), fails one that now agrees ("remove it from this list") and fails
# every difference that is not listed here. Every scenario namespace has a fixed multipath hash seed, so no lookup
# agrees or differs by chance. Empty: on kernel 6.18 every lookup that can be asked agrees; the VRF lookups are not
# asked (this kernel has no vrf driver).
@{
}
