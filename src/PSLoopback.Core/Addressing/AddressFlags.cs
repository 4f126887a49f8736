using System;

namespace PSLoopback.Addressing;

/// <summary>Per-address flags, with the values of Linux's IFA_F_*.</summary>
[Flags]
public enum AddressFlags : uint
{
    None = 0,
    /// <summary>IPv4: a secondary address on its subnet. IPv6: a temporary (privacy) address; Linux shares the bit.</summary>
    Secondary = 0x1,
    NoDad = 0x2,
    Optimistic = 0x4,
    DadFailed = 0x8,
    HomeAddress = 0x10,
    Deprecated = 0x20,
    Tentative = 0x40,
    Permanent = 0x80,
    ManageTempAddress = 0x100,
    NoPrefixRoute = 0x200,
    MulticastAutoJoin = 0x400,
    StablePrivacy = 0x800,
}
