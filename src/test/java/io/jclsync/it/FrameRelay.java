package io.jclsync.it;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jgroups.Address;
import org.jgroups.EmptyMessage;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.util.ByteArrayDataInputStream;
import org.jgroups.util.ByteArrayDataOutputStream;
import org.jgroups.util.Util;
import java.io.BufferedOutputStream;
import java.util.Arrays;

/**
 * A man in the middle for JGroups' TCP transport: accepts connections on one address and forwards
 * them to a node, recording every packet (the transport's length-prefixed unit: one message or a
 * batch) sent towards the node, and can replay, flip a bit in, splice or forge packets on that way.
 * The other way and the failure detector's port are copied byte for byte.
 */
final class FrameRelay implements AutoCloseable {
    /** TcpConnection: cookie "bela", version, address length; then the address. */
    private static final int PREAMBLE = 4 + 2 + 2;
    private static final int GRACEFUL_CLOSE = -5;
    private static final byte LIST = 1;

    private final List<ServerSocket> servers = new ArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<byte[]> recorded = new CopyOnWriteArrayList<>();
    private volatile DataOutputStream towardNode;
    /** What to do to the next packet(s) towards the node. */
    private volatile Mode mode = Mode.FORWARD;
    private byte[] held;

    private enum Mode { FORWARD, FLIP, SPLICE }

    /**
     * Relays {@code listen} to {@code node} (parsed), and {@code listen} + 100 to {@code node} + 100
     * (the failure detector, copied).
     */
    FrameRelay(InetSocketAddress listen, InetSocketAddress node) throws IOException {
        serve(listen, node, true);
        serve(new InetSocketAddress(listen.getAddress(), listen.getPort() + 100),
                new InetSocketAddress(node.getAddress(), node.getPort() + 100), false);
    }

    private void serve(InetSocketAddress listen, InetSocketAddress node, boolean parse) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(listen);
        servers.add(server);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket in = server.accept();
                    Socket out = new Socket();
                    out.connect(node, 2000);
                    sockets.add(in);
                    sockets.add(out);
                    thread(() -> copy(out.getInputStream(), in.getOutputStream()));
                    if (parse) thread(() -> relayPackets(in.getInputStream(), out.getOutputStream()));
                    else thread(() -> copy(in.getInputStream(), out.getOutputStream()));
                } catch (IOException e) {
                    // closed, or the node is not up yet: the peer retries
                }
            }
        }, "relay-accept-" + listen.getPort());
        t.setDaemon(true);
        t.start();
    }

    private interface IoTask {
        void run() throws IOException;
    }

    private static void thread(IoTask task) {
        Thread t = new Thread(() -> {
            try {
                task.run();
            } catch (IOException e) {
                // a side closed
            }
        }, "relay-copy");
        t.setDaemon(true);
        t.start();
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
            out.flush();
        }
    }

    private void relayPackets(InputStream rawIn, OutputStream rawOut) throws IOException {
        DataInputStream in = new DataInputStream(rawIn);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(rawOut));
        byte[] preamble = in.readNBytes(PREAMBLE);
        int addressLength = ((preamble[6] & 0xff) << 8) | (preamble[7] & 0xff);
        byte[] address = in.readNBytes(addressLength);
        synchronized (this) {
            out.write(preamble);
            out.write(address);
            out.flush();
            towardNode = out;
        }
        while (true) {
            int length = in.readInt();
            if (length == GRACEFUL_CLOSE) {
                synchronized (this) {
                    out.writeInt(length);
                    out.flush();
                }
                return;
            }
            byte[] packet = in.readNBytes(length);
            synchronized (this) {
                switch (mode) {
                    // The tampered frame goes in front of the real one(s), which still follow: the
                    // node must drop it, and losing real frames (heartbeats) for long enough
                    // would make the node suspect its peer, which is not what is tested here.
                    case FLIP -> {
                        byte[] flipped = packet.clone();
                        flipped[flipped.length - 1] ^= 0x01; // the last byte of the last frame: its tag
                        write(out, flipped);
                        mode = Mode.FORWARD;
                        notifyAll();
                    }
                    case SPLICE -> {
                        if (held == null) {
                            held = packet; // until the next one comes: the splice must come first
                            continue;
                        }
                        // The first frame with the end of the second's (its last ciphertext bytes and its tag).
                        byte[] spliced = held.clone();
                        int n = Math.min(24, Math.min(held.length, packet.length));
                        System.arraycopy(packet, packet.length - n, spliced, spliced.length - n, n);
                        write(out, spliced);
                        recorded.add(held);
                        write(out, held);
                        held = null;
                        mode = Mode.FORWARD;
                        notifyAll();
                    }
                    default -> { }
                }
                recorded.add(packet);
                write(out, packet);
            }
        }
    }

    private static void write(DataOutputStream out, byte[] packet) throws IOException {
        out.writeInt(packet.length);
        out.write(packet);
        out.flush();
    }

    /** Packets seen on the way to the node so far. */
    int recorded() {
        return recorded.size();
    }

    /** Sends every packet recorded so far to the node again; returns how many. */
    synchronized int replayAll() throws IOException {
        List<byte[]> all = List.copyOf(recorded);
        for (byte[] p : all) write(towardNode, p);
        return all.size();
    }

    /** Sends a copy of the next packet with a bit flipped, before the packet itself (waits for it). */
    synchronized void flipNext() throws InterruptedException {
        mode = Mode.FLIP;
        while (mode != Mode.FORWARD) wait();
    }

    /** Sends the next packet with the end of the one after it, before both (waits for both). */
    synchronized void spliceNext() throws InterruptedException {
        mode = Mode.SPLICE;
        while (mode != Mode.FORWARD) wait();
    }

    /**
     * Sends a payload-less GMS LEAVE request in the name of the member whose packets were recorded:
     * were it believed, the coordinator would drop that member from the view.
     */
    synchronized void forgeLeave() throws Exception {
        Address sender = senderOf(recorded.get(recorded.size() - 1));
        short gms = ClassConfigurator.getProtocolId(GMS.class);
        Message leave = new EmptyMessage(null).setSrc(sender).putHeader(gms, new GMS.GmsHeader(GMS.GmsHeader.LEAVE_REQ, sender));
        ByteArrayDataOutputStream out = new ByteArrayDataOutputStream(256);
        Util.writeMessage(leave, out, false);
        write(towardNode, Arrays.copyOf(out.buffer(), out.position()));
    }

    private static Address senderOf(byte[] packet) throws Exception {
        ByteArrayDataInputStream in = new ByteArrayDataInputStream(packet);
        in.readShort();
        byte flags = in.readByte();
        if ((flags & LIST) != 0) {
            Util.readAddress(in);
            return Util.readAddress(in);
        }
        return Util.readMessage(in).getSrc();
    }

    @Override
    public void close() throws IOException {
        for (ServerSocket s : servers) s.close();
        for (Socket s : sockets) s.close();
    }

    static InetAddress loopback(int last) throws IOException {
        return InetAddress.getByName("127.0.0." + last);
    }
}
