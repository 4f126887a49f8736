namespace PSLoopback.Routing;

/// <summary>What a policy rule does when it matches, with the values of Linux's FR_ACT_*.</summary>
public enum RuleAction : byte
{
    Unspecified = 0,
    /// <summary>Look the destination up in the rule's table.</summary>
    Lookup = 1,
    Goto = 2,
    Nop = 3,
    Blackhole = 6,
    Unreachable = 7,
    Prohibit = 8,
}
