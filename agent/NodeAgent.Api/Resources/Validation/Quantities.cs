using k8s.Models;

namespace NodeAgent.Api.Resources.Validation;

/// <summary>Resource quantity helpers over the client's <see cref="ResourceQuantity"/> (which parses the upstream grammar).</summary>
public static class Quantities
{
    /// <summary>The numeric value, or null when the text is not a quantity.</summary>
    public static decimal? ValueOf(ResourceQuantity? quantity)
    {
        if (quantity is null)
        {
            return null;
        }

        try
        {
            return quantity.ToDecimal();
        }
        catch (FormatException)
        {
            return null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary>The canonical text upstream prints for a quantity (e.g. "0.5" cpu prints as "500m").</summary>
    public static string Canonical(ResourceQuantity quantity)
    {
        ArgumentNullException.ThrowIfNull(quantity);

        // The client mangles negative quantities ("-1Mi" prints as "-0.0…Ei"): format the magnitude.
        if (ValueOf(quantity) is < 0 and var negative)
        {
            return "-" + new ResourceQuantity(-negative, 0, quantity.Format).CanonicalizeString();
        }

        try
        {
            return quantity.CanonicalizeString();
        }
        catch (FormatException)
        {
            return quantity.ToString();
        }
    }
}
