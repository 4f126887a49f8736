using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;

namespace PSLoopback.Core.Tests.Support;

/// <summary>
/// Writes rtnetlink bytes as the kernel does: host byte order, every header and attribute padded to 4 bytes.
/// Start with <see cref="IfInfo"/>, <see cref="IfAddr"/> or <see cref="Attributes"/>, add attributes, then take
/// <see cref="ToPayload"/> or wrap it into a whole message with <see cref="ToMessage"/>.
/// </summary>
internal sealed class NetlinkBuilder
{
    private readonly MemoryStream bytes = new();

    private NetlinkBuilder()
    {
    }

    /// <summary>struct ifinfomsg (16 bytes).</summary>
    public static NetlinkBuilder IfInfo(int index, ushort deviceType = Rt.ARPHRD_ETHER, uint flags = 0)
    {
        var builder = new NetlinkBuilder();
        builder.Write(new byte[] { 0, 0 }); // ifi_family, pad
        builder.Write(BitConverter.GetBytes(deviceType));
        builder.Write(BitConverter.GetBytes(index));
        builder.Write(BitConverter.GetBytes(flags));
        builder.Write(BitConverter.GetBytes(0u)); // ifi_change
        return builder;
    }

    /// <summary>struct ifaddrmsg (8 bytes).</summary>
    public static NetlinkBuilder IfAddr(byte family, byte prefixLength, int index, byte flags = 0, byte scope = Rt.RT_SCOPE_UNIVERSE)
    {
        var builder = new NetlinkBuilder();
        builder.Write(new[] { family, prefixLength, flags, scope });
        builder.Write(BitConverter.GetBytes(index));
        return builder;
    }

    /// <summary>No fixed header: the contents of a nested attribute.</summary>
    public static NetlinkBuilder Attributes() => new();

    /// <summary>A minimal valid link: the given index and name, nothing else.</summary>
    public static NetlinkBuilder Link(int index, string name, ushort deviceType = Rt.ARPHRD_ETHER, uint flags = 0) =>
        IfInfo(index, deviceType, flags).String(Rt.IFLA_IFNAME, name);

    /// <summary>A minimal valid address: IFA_ADDRESS and IFA_LOCAL both set to <paramref name="address"/>.</summary>
    public static NetlinkBuilder Address(string address, byte prefixLength, int index)
    {
        var ip = IPAddress.Parse(address);
        var family = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? Rt.AF_INET : Rt.AF_INET6;
        return IfAddr(family, prefixLength, index).Ip(Rt.IFA_ADDRESS, address).Ip(Rt.IFA_LOCAL, address);
    }

    public NetlinkBuilder Attribute(ushort type, byte[] value) =>
        RawAttribute(type, checked((ushort)(4 + value.Length)), value);

    /// <summary>An attribute whose header gives <paramref name="declaredLength"/>, whatever the value's real size.</summary>
    public NetlinkBuilder RawAttribute(ushort type, ushort declaredLength, byte[] value)
    {
        Write(BitConverter.GetBytes(declaredLength));
        Write(BitConverter.GetBytes(type));
        Write(value);
        Pad();
        return this;
    }

    public NetlinkBuilder U8(ushort type, byte value) => Attribute(type, new[] { value });

    public NetlinkBuilder U32(ushort type, uint value) => Attribute(type, BitConverter.GetBytes(value));

    /// <summary>A NUL-terminated string, as the kernel writes names.</summary>
    public NetlinkBuilder String(ushort type, string value) => Attribute(type, Encoding.UTF8.GetBytes(value + "\0"));

    public NetlinkBuilder Ip(ushort type, string address) => Attribute(type, IPAddress.Parse(address).GetAddressBytes());

    public NetlinkBuilder Nested(ushort type, NetlinkBuilder contents) => Attribute(type, contents.ToPayload());

    /// <summary>struct ifa_cacheinfo: preferred and valid lifetimes in seconds, then two timestamps.</summary>
    public NetlinkBuilder CacheInfo(uint preferred, uint valid) =>
        Attribute(Rt.IFA_CACHEINFO, Concat(BitConverter.GetBytes(preferred), BitConverter.GetBytes(valid), new byte[8]));

    /// <summary>rtnl_link_stats64 (24 64-bit counters) holding 1, 2, 3, ... times <paramref name="scale"/>.</summary>
    public NetlinkBuilder Stats64(ulong scale, int fields = 24) =>
        Attribute(Rt.IFLA_STATS64, Enumerable.Range(1, fields).SelectMany(i => BitConverter.GetBytes((ulong)i * scale)).ToArray());

    /// <summary>rtnl_link_stats (24 32-bit counters) holding 1, 2, 3, ... times <paramref name="scale"/>.</summary>
    public NetlinkBuilder Stats32(uint scale, int fields = 24) =>
        Attribute(Rt.IFLA_STATS, Enumerable.Range(1, fields).SelectMany(i => BitConverter.GetBytes((uint)i * scale)).ToArray());

    /// <summary>Bytes appended as they are, no header and no padding.</summary>
    public NetlinkBuilder Raw(byte[] value)
    {
        Write(value);
        return this;
    }

    public byte[] ToPayload() => bytes.ToArray();

    /// <summary>nlmsghdr followed by the payload, padded to 4 bytes.</summary>
    public byte[] ToMessage(ushort type, uint sequence = 1, ushort flags = Rt.NLM_F_MULTI, uint portId = 4242) =>
        Message(type, ToPayload(), sequence, flags, portId);

    public static byte[] Message(ushort type, byte[] payload, uint sequence = 1, ushort flags = Rt.NLM_F_MULTI, uint portId = 4242)
    {
        var length = 16 + payload.Length;
        var message = new byte[(length + 3) & ~3];
        BitConverter.GetBytes((uint)length).CopyTo(message, 0);
        BitConverter.GetBytes(type).CopyTo(message, 4);
        BitConverter.GetBytes(flags).CopyTo(message, 6);
        BitConverter.GetBytes(sequence).CopyTo(message, 8);
        BitConverter.GetBytes(portId).CopyTo(message, 12);
        payload.CopyTo(message, 16);
        return message;
    }

    /// <summary>A raw 16-byte nlmsghdr with any length, for headers that lie.</summary>
    public static byte[] Header(uint length, ushort type = Rt.NLMSG_NOOP) =>
        Concat(BitConverter.GetBytes(length), BitConverter.GetBytes(type), new byte[10]);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private void Write(byte[] value) => bytes.Write(value, 0, value.Length);

    private void Pad()
    {
        while (bytes.Length % 4 != 0)
        {
            bytes.WriteByte(0);
        }
    }
}
