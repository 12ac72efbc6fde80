package io.jclsync.cluster.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Which user is at the other end of a TCP connection made to this process on loopback: the
 * kernel's socket tables ({@code /proc/self/net/tcp} and {@code tcp6}, this process's network
 * namespace) list the connecting socket with the uid that made it. A client may have made its
 * socket as IPv4 or as IPv6 (an IPv4 address then shows as {@code ::ffff:a.b.c.d}), so both
 * tables are read.
 */
final class LocalPeer {
    private static final Path TCP = Path.of("/proc/self/net/tcp");
    private static final Path TCP6 = Path.of("/proc/self/net/tcp6");

    private LocalPeer() {}

    /** The uid of the process that opened the connecting end of {@code accepted}; -1 if no table lists it. */
    static int uidOf(Socket accepted) throws IOException {
        InetAddress from = accepted.getInetAddress();
        InetAddress to = accepted.getLocalAddress();
        int uid = find(TCP, entry(from.getAddress(), accepted.getPort()), entry(to.getAddress(), accepted.getLocalPort()));
        if (uid >= 0) return uid;
        return find(TCP6, entry(v6(from.getAddress()), accepted.getPort()), entry(v6(to.getAddress()), accepted.getLocalPort()));
    }

    /** This process's effective uid (the owner of its {@code /proc} directory). */
    static int self() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    private static int find(Path table, String from, String to) throws IOException {
        if (from.isEmpty() || to.isEmpty()) return -1;
        try {
            for (String line : Files.readAllLines(table)) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                String[] f = line.trim().split("\\s+");
                if (f.length > 7 && f[1].equals(from) && f[2].equals(to)) return Integer.parseInt(f[7]);
            }
        } catch (NoSuchFileException noIpv6) {
            // a kernel without IPv6 has no tcp6 table
        }
        return -1;
    }

    /** An IPv4 address as IPv4-mapped IPv6; an IPv6 one as it is. */
    private static byte[] v6(byte[] address) {
        if (address.length == 16) return address;
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(address, 0, out, 12, 4);
        return out;
    }

    /**
     * An address as the tables print it: each 32-bit word of it as the host reads it from memory,
     * in hex, then the port. Only the table of its own length can list it (4 bytes: tcp, 16: tcp6).
     */
    private static String entry(byte[] address, int port) {
        if (address.length != 4 && address.length != 16) return "";
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        StringBuilder out = new StringBuilder();
        for (int word = 0; word < address.length; word += 4) {
            for (int k = 0; k < 4; k++) out.append(String.format("%02X", address[word + (little ? 3 - k : k)]));
        }
        return out.append(String.format(":%04X", port)).toString();
    }
}
