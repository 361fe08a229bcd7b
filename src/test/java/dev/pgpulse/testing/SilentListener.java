package dev.pgpulse.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hung server: a real socket on 127.0.0.1 that accepts every connection, reads and discards what the client
 * sends, and never writes a byte back (a frozen PostgreSQL, a proxy that holds connections). {@link #close()}
 * closes every connection it accepted.
 */
public final class SilentListener implements AutoCloseable {
    private final ServerSocket server;
    private final Set<Socket> accepted = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private final Thread acceptor;

    private SilentListener(ServerSocket server) {
        this.server = server;
        this.acceptor = Thread.ofVirtual().name("silent-listener-" + server.getLocalPort()).start(this::acceptLoop);
    }

    public static SilentListener start() {
        try {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
            return new SilentListener(s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the silent listener", e);
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted since start. */
    public long acceptedConnections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.add(s);
                connections.incrementAndGet();
                Thread.ofVirtual().start(() -> swallow(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void swallow(Socket s) {
        byte[] buffer = new byte[4096];
        try (s) {
            while (s.getInputStream().read(buffer) >= 0) {
                // read and drop: the client's bytes are taken, nothing is ever answered
            }
        } catch (IOException closed) {
            // closed by the client or by close()
        } finally {
            accepted.remove(s);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : accepted) {
            s.close();
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
