using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace PSLoopback.Conversion;

/// <summary>
/// Name selection with wildcards, as the listing cmdlets do it: a pattern that cannot be read ('lo[') and a
/// plain name that matches nothing are each an error naming that input, and the other names still select.
/// </summary>
internal static class NamePatterns
{
    /// <summary>The matches of one name, or null after writing the error that says why there are none.</summary>
    public static List<T>? Match<T>(Cmdlet cmdlet, string name, IEnumerable<T> candidates, Func<T, string> nameOf, string notFoundFormat)
    {
        List<T> found;
        try
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            found = candidates.Where(c => pattern.IsMatch(nameOf(c))).ToList();
        }
        catch (WildcardPatternException e)
        {
            cmdlet.WriteError(new ErrorRecord(
                new PSArgumentException($"'{name}' is not a valid wildcard pattern: {e.Message} Escape [ and ] with a backtick (`[) to match them literally.", e),
                "InvalidWildcardPattern", ErrorCategory.InvalidArgument, name));
            return null;
        }

        if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
        {
            cmdlet.WriteError(new ErrorRecord(
                new ItemNotFoundException(string.Format(CultureInfo.InvariantCulture, notFoundFormat, name)),
                "InterfaceNotFound", ErrorCategory.ObjectNotFound, name));
            return null;
        }

        return found;
    }
}
