package io.jclsync.cluster.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Whether a TCP connection made to this process on loopback comes from a socket of the same user
 * as the one that accepted it. The kernel's socket tables ({@code /proc/self/net/tcp} and
 * {@code tcp6}, this process's network namespace) list both ends with the uid that made each
 * socket. A client may have made its socket as IPv4 or as IPv6 (an IPv4 address then shows as
 * {@code ::ffff:a.b.c.d}), so both tables are read. Rows without an inode do not count: a socket
 * its process has closed (and no process holds) is listed as uid 0 without one, and must not pass
 * for root's. A socket still open but half-closed (its writer done) keeps its inode and uid.
 */
final class LocalPeer {
    private static final Path TCP = Path.of("/proc/self/net/tcp");
    private static final Path TCP6 = Path.of("/proc/self/net/tcp6");

    private LocalPeer() {}

    /**
     * The uids of both ends of {@code accepted}: [the connecting socket's, the accepted socket's];
     * -1 for an end no table lists with an inode.
     */
    static int[] uids(Socket accepted) throws IOException {
        byte[] client = accepted.getInetAddress().getAddress();
        byte[] server = accepted.getLocalAddress().getAddress();
        int[] out = {-1, -1};
        for (Path table : new Path[] {TCP, TCP6}) {
            boolean v6 = table == TCP6;
            String c = entry(v6 ? v6(client) : client, accepted.getPort());
            String s = entry(v6 ? v6(server) : server, accepted.getLocalPort());
            if (c.isEmpty() || s.isEmpty()) continue;
            try (BufferedReader in = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
                for (String line; (line = in.readLine()) != null && (out[0] < 0 || out[1] < 0); ) {
                    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 10 || f[9].equals("0")) continue;
                    if (f[1].equals(c) && f[2].equals(s)) out[0] = Integer.parseInt(f[7]);
                    if (f[1].equals(s) && f[2].equals(c)) out[1] = Integer.parseInt(f[7]);
                }
            } catch (NoSuchFileException noIpv6) {
                // a kernel without IPv6 has no tcp6 table
            }
        }
        return out;
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
