package dev.pgpulse.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy for tests that sits between a client and a real PostgreSQL and injects network faults on demand:
 * abrupt cuts, refused connections, a black hole, latency, and a one-shot cut triggered by what the client sends.
 *
 * <p>Plain blocking {@code java.net} sockets: one acceptor thread while listening, two pump threads per proxied
 * connection (virtual threads). {@link #close()} closes every socket and joins every thread it started.
 */
public final class FaultProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FaultProxy.class);
    private static final String HOST = "127.0.0.1";
    private static final int BUFFER = 16 * 1024;
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final Duration REBIND_WAIT = Duration.ofSeconds(5);
    private static final Duration JOIN_WAIT = Duration.ofSeconds(5);

    private final String targetHost;
    private final int targetPort;
    private final int port;

    private final Object lock = new Object();
    /** The listening socket; null while refusing or after close. Guarded by {@link #lock}. */
    private ServerSocket listener;
    /** The thread accepting on {@link #listener}. Guarded by {@link #lock}. */
    private Thread acceptor;
    private volatile boolean closed;

    private volatile boolean blackhole;
    private volatile Duration latency = Duration.ZERO;
    /** The armed trigger, cleared (to null) by the one pump that fires it. */
    private final AtomicReference<Trigger> armed = new AtomicReference<>();
    /** The last trigger armed, kept after it fired so tests can see and await it. */
    private volatile Trigger lastTrigger;

    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong linkIds = new AtomicLong();

    private FaultProxy(String targetHost, int targetPort, ServerSocket listener) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = listener;
        this.port = listener.getLocalPort();
    }

    /** Starts a proxy to targetHost:targetPort, listening on 127.0.0.1 on a free port. */
    public static FaultProxy start(String targetHost, int targetPort) {
        Objects.requireNonNull(targetHost, "targetHost");
        try {
            ServerSocket ss = new ServerSocket();
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0), 50);
            FaultProxy proxy = new FaultProxy(targetHost, targetPort, ss);
            synchronized (proxy.lock) {
                proxy.startAcceptor(ss);
            }
            log.debug("fault proxy 127.0.0.1:{} -> {}:{} started", proxy.port, targetHost, targetPort);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fault proxy", e);
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** The same database, user and password as db, reached through this proxy. */
    public TestDatabase through(TestDatabase db) {
        return new TestDatabase(HOST, port, db.user(), db.password(), db.database());
    }

    // ------------------------------------------------------------------ faults

    /** Closes every current proxied connection abruptly (RST on both sides). New connections are still accepted. */
    public void cutAll() {
        List<Link> snapshot = List.copyOf(links);
        for (Link l : snapshot) {
            l.closeAbruptly();
        }
        log.debug("fault proxy {}: cut {} connection(s)", port, snapshot.size());
    }

    /**
     * On: closes the listening socket, so new connections get "Connection refused". Off: listens again on the
     * same port. Existing connections are not touched either way.
     */
    public void refuse(boolean on) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("fault proxy is closed");
            }
            if (on) {
                if (listener != null) {
                    stopListening();
                    log.debug("fault proxy {}: refusing", port);
                }
            } else if (listener == null) {
                ServerSocket ss = rebind();
                listener = ss;
                startAcceptor(ss);
                log.debug("fault proxy {}: listening again", port);
            }
        }
    }

    /** On: bytes in both directions are read and discarded, on existing and new connections; sockets stay open. */
    public void blackhole(boolean on) {
        blackhole = on;
        log.debug("fault proxy {}: blackhole {}", port, on);
    }

    /** Delays each forwarded chunk, in each direction, by d ({@link Duration#ZERO} for none). */
    public void latency(Duration d) {
        Objects.requireNonNull(d, "d");
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative latency " + d);
        }
        latency = d;
        log.debug("fault proxy {}: latency {}", port, d);
    }

    /**
     * Arms a one-shot trigger: the first chunk from any client that contains the ASCII bytes of marker (also when
     * the marker straddles two chunks) fires it. With forwardFirst the chunk is forwarded to the server (which
     * executes it), the client is cut before any reply can reach it, and the server side gets an orderly end of
     * stream after the chunk; without, the chunk is dropped and both sides are cut. The trigger then clears.
     * Chunks swallowed by {@link #blackhole(boolean)} are not looked at. Arming replaces a trigger not yet fired.
     */
    public void cutWhenClientSends(String marker, boolean forwardFirst) {
        if (marker == null || marker.isEmpty()) {
            throw new IllegalArgumentException("marker must not be empty");
        }
        arm(new Trigger(marker.getBytes(StandardCharsets.US_ASCII), forwardFirst, false));
        log.debug("fault proxy {}: armed cut on '{}' (forwardFirst={})", port, marker, forwardFirst);
    }

    /**
     * Arms a one-shot trigger like {@link #cutWhenClientSends} that, instead of cutting, turns the
     * {@link #blackhole(boolean)} on and swallows the chunk: the server hangs exactly at that message (a COMMIT
     * that is never answered), every connection stays open.
     */
    public void blackholeWhenClientSends(String marker) {
        if (marker == null || marker.isEmpty()) {
            throw new IllegalArgumentException("marker must not be empty");
        }
        arm(new Trigger(marker.getBytes(StandardCharsets.US_ASCII), false, true));
        log.debug("fault proxy {}: armed black hole on '{}'", port, marker);
    }

    private void arm(Trigger t) {
        lastTrigger = t;
        armed.set(t);
    }

    /** Disarms a trigger that has not fired yet. */
    public void cancelTrigger() {
        armed.set(null);
    }

    /** Whether the last armed trigger has fired. */
    public boolean triggerFired() {
        Trigger t = lastTrigger;
        return t != null && t.fired.getCount() == 0;
    }

    /** Waits up to timeout for the last armed trigger to fire; false at once if none was ever armed. */
    public boolean awaitTrigger(Duration timeout) throws InterruptedException {
        Trigger t = lastTrigger;
        return t != null && t.fired.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The server is down: new connections refused, current ones cut. */
    public void outage() {
        refuse(true);
        cutAll();
    }

    /** Back to a plain proxy: listening, forwarding, no latency. (An armed trigger stays armed.) */
    public void restore() {
        refuse(false);
        blackhole(false);
        latency(Duration.ZERO);
    }

    // ------------------------------------------------------------------ counts

    /** Proxied connections open right now. */
    public int openConnections() {
        return links.size();
    }

    /** Connections accepted since start. */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Threads this proxy started that have not finished yet (0 after {@link #close()}). */
    public int liveThreads() {
        return (int) threads.stream().filter(Thread::isAlive).count();
    }

    /** Stops listening, cuts every connection and joins every thread the proxy started. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (listener != null) {
                stopListening();
            }
        }
        armed.set(null);
        long deadline = System.nanoTime() + JOIN_WAIT.toNanos();
        // Keep cutting until every thread is gone: a pump thread may start right after a cut.
        while (true) {
            cutAll();
            List<Thread> snapshot = List.copyOf(threads);
            if (snapshot.isEmpty()) {
                break;
            }
            for (Thread t : snapshot) {
                t.interrupt(); // wakes a latency sleep
            }
            boolean interrupted = false;
            for (Thread t : snapshot) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    t.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
                break;
            }
            if (System.nanoTime() - deadline >= 0) {
                log.debug("fault proxy {}: {} thread(s) still running after close", port, threads.size());
                break;
            }
        }
        log.debug("fault proxy {}: closed ({} accepted)", port, accepted.get());
    }

    // ------------------------------------------------------------------ internals

    private ServerSocket rebind() {
        long deadline = System.nanoTime() + REBIND_WAIT.toNanos();
        while (true) {
            ServerSocket ss = null;
            try {
                ss = new ServerSocket();
                ss.setReuseAddress(true);
                ss.bind(new InetSocketAddress(InetAddress.getByName(HOST), port), 50);
                return ss;
            } catch (BindException e) {
                closeQuietly(ss);
                if (System.nanoTime() - deadline >= 0) {
                    throw new UncheckedIOException("cannot listen again on " + HOST + ":" + port, e);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while listening again on port " + port, ie);
                }
            } catch (IOException e) {
                closeQuietly(ss);
                throw new UncheckedIOException("cannot listen again on " + HOST + ":" + port, e);
            }
        }
    }

    /** Caller holds {@link #lock}. The acceptor ends when its listening socket is closed. */
    private void startAcceptor(ServerSocket ss) {
        acceptor = spawn("fault-proxy-" + port + "-accept", () -> acceptLoop(ss));
    }

    /**
     * Caller holds {@link #lock}. Closes the listening socket and waits for its acceptor to end: while a thread
     * is blocked in accept(), the JDK only defers the real close of the descriptor until that thread has left
     * accept(), so without the wait a connect() right after could still reach the kernel's backlog.
     */
    private void stopListening() {
        closeQuietly(listener);
        listener = null;
        Thread t = acceptor;
        acceptor = null;
        if (t == null) {
            return;
        }
        try {
            if (!t.join(JOIN_WAIT)) {
                throw new IllegalStateException("fault proxy " + port + ": acceptor did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while closing the listening socket of " + port, e);
        }
    }

    private void acceptLoop(ServerSocket ss) {
        while (!ss.isClosed()) {
            Socket client;
            try {
                client = ss.accept();
            } catch (IOException e) {
                if (!ss.isClosed()) {
                    log.debug("fault proxy {}: accept failed: {}", port, e.toString());
                    closeQuietly(ss);
                }
                return;
            }
            accepted.incrementAndGet();
            if (closed) {
                abort(client);
                return;
            }
            Link link = new Link(linkIds.incrementAndGet(), client);
            links.add(link);
            if (closed) { // close() may have taken its snapshot before the add
                link.closeAbruptly();
                return;
            }
            spawn("fault-proxy-" + port + "-c" + link.id + "-up", () -> runUpstream(link));
        }
    }

    /** Connects to the target, starts the server-to-client pump, then pumps client-to-server. */
    private void runUpstream(Link link) {
        Socket server = new Socket();
        try {
            if (!link.setServer(server)) {
                return;
            }
            server.setTcpNoDelay(true);
            server.connect(new InetSocketAddress(targetHost, targetPort), CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            log.debug("fault proxy {}: connection {} cannot reach {}:{}: {}", port, link.id, targetHost, targetPort,
                    e.toString());
            link.closeAbruptly();
            return;
        }
        if (link.isClosed()) {
            return;
        }
        spawn("fault-proxy-" + port + "-c" + link.id + "-down", () -> pump(link, server, link.client, false));
        pump(link, link.client, server, true);
    }

    private void pump(Link link, Socket from, Socket to, boolean upstream) {
        byte[] buf = new byte[BUFFER];
        boolean endOfStream = false;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) != -1) {
                if (n == 0 || blackhole) {
                    continue;
                }
                Duration d = latency;
                if (!d.isZero()) {
                    Thread.sleep(d);
                }
                if (upstream) {
                    Trigger t = armed.get();
                    if (t != null && link.matches(t, buf, n) && armed.compareAndSet(t, null)) {
                        fire(link, t, buf, n, out);
                        if (t.blackholeInstead) {
                            continue; // the pump goes on, swallowing
                        }
                        return;
                    }
                } else if (link.doomed) {
                    continue; // a trigger fired: nothing from the server may reach this client any more
                }
                out.write(buf, 0, n);
                out.flush();
            }
            endOfStream = true;
        } catch (IOException e) {
            if (!link.isClosed()) {
                log.debug("fault proxy {}: connection {} {} failed: {}", port, link.id,
                        upstream ? "client->server" : "server->client", e.toString());
            }
            link.closeAbruptly();
        } catch (InterruptedException e) {
            link.closeAbruptly();
        } finally {
            if (endOfStream) {
                // pass the orderly end on, so the other side sees EOF after all the data
                try {
                    if (!to.isClosed() && !to.isOutputShutdown()) {
                        to.shutdownOutput();
                    }
                } catch (IOException ignored) {
                    // the other side is gone already
                }
            }
            link.pumpDone();
        }
    }

    private void fire(Link link, Trigger t, byte[] buf, int n, OutputStream toServer) {
        if (t.blackholeInstead) {
            blackhole = true;
            t.fired.countDown();
            log.debug("fault proxy {}: connection {}: black hole on, trigger chunk swallowed", port, link.id);
            return;
        }
        link.doomed = true;
        if (t.forwardFirst) {
            try {
                toServer.write(buf, 0, n);
                toServer.flush();
            } catch (IOException e) {
                log.debug("fault proxy {}: connection {}: forwarding the trigger chunk failed: {}", port, link.id,
                        e.toString());
            }
            // The client goes at once; the server gets the chunk then an orderly EOF, so it executes the chunk.
            // The server-to-client pump discards the reply and closes the server socket on the server's EOF.
            link.cutClientKeepServer();
        } else {
            link.closeAbruptly();
        }
        t.fired.countDown();
        log.debug("fault proxy {}: connection {}: trigger fired (forwardFirst={})", port, link.id, t.forwardFirst);
    }

    private Thread spawn(String name, Runnable body) {
        Thread t = Thread.ofVirtual().name(name).unstarted(() -> {
            try {
                body.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        });
        threads.add(t);
        t.start();
        return t;
    }

    private static void abort(Socket s) {
        if (s == null) {
            return;
        }
        try {
            if (!s.isClosed()) {
                s.setSoLinger(true, 0); // RST, not FIN
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        closeQuietly(s);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort
        }
    }

    private static final class Trigger {
        final byte[] marker;
        final boolean forwardFirst;
        /** Instead of a cut: the black hole goes on and the chunk is swallowed, the connection stays open. */
        final boolean blackholeInstead;
        final CountDownLatch fired = new CountDownLatch(1);

        Trigger(byte[] marker, boolean forwardFirst, boolean blackholeInstead) {
            this.marker = marker;
            this.forwardFirst = forwardFirst;
            this.blackholeInstead = blackholeInstead;
        }
    }

    /** One proxied connection: the client socket, the server socket, and its two pumps. */
    private final class Link {
        final long id;
        final Socket client;
        private Socket server; // guarded by this
        private boolean closed; // guarded by this
        private int pumpsDone; // guarded by this
        /** Set when a trigger fired on this link: server replies are discarded. */
        volatile boolean doomed;
        /** The last client bytes seen while a trigger was armed, to find a marker split across two chunks. */
        private byte[] tail = new byte[0]; // only the upstream pump touches it

        Link(long id, Socket client) {
            this.id = id;
            this.client = client;
            try {
                client.setTcpNoDelay(true);
            } catch (IOException ignored) {
                // not essential
            }
        }

        synchronized boolean setServer(Socket s) {
            if (closed) {
                closeQuietly(s);
                return false;
            }
            server = s;
            return true;
        }

        synchronized boolean isClosed() {
            return closed;
        }

        boolean matches(Trigger t, byte[] buf, int n) {
            byte[] window = new byte[tail.length + n];
            System.arraycopy(tail, 0, window, 0, tail.length);
            System.arraycopy(buf, 0, window, tail.length, n);
            int keep = Math.min(t.marker.length - 1, window.length);
            tail = Arrays.copyOfRange(window, window.length - keep, window.length);
            return indexOf(window, t.marker) >= 0;
        }

        /** RST to both sides. */
        void closeAbruptly() {
            Socket s;
            synchronized (this) {
                closed = true;
                s = server;
            }
            abort(client);
            abort(s);
            links.remove(this);
        }

        /** RST to the client only; the server side gets an orderly EOF after what was already sent. */
        void cutClientKeepServer() {
            Socket s;
            synchronized (this) {
                s = server;
            }
            abort(client);
            try {
                if (s != null && !s.isClosed()) {
                    s.shutdownOutput();
                }
            } catch (IOException ignored) {
                // the server side is gone already
            }
            // the link stays counted until the server-to-client pump sees the server close
        }

        /** When both pumps have ended, the connection is over. */
        void pumpDone() {
            Socket s;
            synchronized (this) {
                if (++pumpsDone < 2) {
                    return;
                }
                closed = true;
                s = server;
            }
            closeQuietly(client);
            closeQuietly(s);
            links.remove(this);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
