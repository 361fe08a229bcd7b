package dev.pgpulse.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP/1.1 server for a few GET endpoints, with every wait bounded. The JDK's
 * {@code com.sun.net.httpserver} was the first cut: with its default settings a client that sends headers
 * without the blank line (or a TLS hello) holds a worker thread for ever, and its only bounds
 * ({@code sun.net.httpserver.maxReqTime}, {@code idleInterval}) are JVM-wide system properties read once, when
 * its implementation class first loads — whichever HTTP server in the process loads first decides them, so the
 * agent could not be sure they applied.
 *
 * <p>Here every connection runs on its own virtual thread (a slow client costs a parked virtual thread, never a
 * worker another request needs), and each request has {@link #REQUEST_DEADLINE} from the moment the server starts
 * waiting for it until its response is written: a reaper closes any connection past its deadline, which also ends
 * a blocked read or write. Request heads are capped at {@link #MAX_HEAD_BYTES}, connections at
 * {@link #MAX_CONNECTIONS} (the longest-waiting one is closed to make room, one being answered last); bytes that cannot start an HTTP request (a TLS hello) close the connection at once.
 * Paths match exactly. Persistent connections are kept for HTTP/1.1 clients, under the same deadline.
 */
final class BoundedHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BoundedHttpServer.class);
    static final Duration REQUEST_DEADLINE = Duration.ofSeconds(10);
    static final int MAX_HEAD_BYTES = 16 * 1024;
    /** Under the common 1024 descriptors a process may open, leaving room for the pools and the JVM's own. */
    static final int MAX_CONNECTIONS = 512;
    private static final Duration REAPER_TICK = Duration.ofMillis(200);
    private static final int BACKLOG = 256;

    record Request(String method, String path) {
    }

    record Response(int status, String contentType, String body, Map<String, String> headers) {
        Response(int status, String contentType, String body) {
            this(status, contentType, body, Map.of());
        }
    }

    @FunctionalInterface
    interface Handler {
        Response handle(Request request) throws IOException;
    }

    /**
     * One accepted connection, the instant (System.nanoTime) by which its current request must be done, and
     * whether that request's head has been read (it is being answered).
     */
    private static final class Connection {
        final Socket socket;
        volatile long deadline;
        volatile boolean answering;

        Connection(Socket socket) {
            this.socket = socket;
        }
    }

    private static final class BadRequest extends Exception {
        final int status;

        BadRequest(int status, String why) {
            super(why, null, false, false);
            this.status = status;
        }
    }

    private final ServerSocket listener;
    private final Handler handler;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final ThreadFactory connectionThreads = Thread.ofVirtual().name("pgpulse-agent-conn-", 0).factory();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("pgpulse-agent-reaper").daemon().factory());
    private final AtomicLong reaped = new AtomicLong();
    private final Thread acceptor;
    private volatile boolean full;

    private BoundedHttpServer(ServerSocket listener, Handler handler) {
        this.listener = listener;
        this.handler = handler;
        this.acceptor = Thread.ofPlatform().name("pgpulse-agent-accept").daemon().unstarted(this::acceptLoop);
    }

    /** Binds now (so a port in use fails here, before anything else starts); serving starts with {@link #start}. */
    static BoundedHttpServer bind(InetAddress address, int port, Handler handler) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(address, port), BACKLOG);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new BoundedHttpServer(s, handler);
    }

    void start() {
        reaper.scheduleWithFixedDelay(this::reap, REAPER_TICK.toMillis(), REAPER_TICK.toMillis(), TimeUnit.MILLISECONDS);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Connections open right now. */
    int openConnections() {
        return open.size();
    }

    /** Connections closed because a request ran past its deadline (or to make room), since start. */
    long reapedConnections() {
        return reaped.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    // e.g. out of file descriptors: pause rather than spin on a failure that repeats
                    LOG.warn("agent - accept failed: {}", e.toString());
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
                continue;
            }
            if (open.size() >= MAX_CONNECTIONS) {
                if (!full) {
                    full = true;
                    LOG.warn("agent - {} connections open: closing the longest-waiting ones to make room",
                            MAX_CONNECTIONS);
                }
                evictOldest();
            } else {
                full = false;
            }
            Connection c = new Connection(s);
            c.deadline = System.nanoTime() + REQUEST_DEADLINE.toNanos();
            open.add(c);
            connectionThreads.newThread(() -> serve(c)).start();
        }
    }

    /**
     * At the cap the connection that has waited longest for its request goes, not the new one: a flood of idle
     * connections must not lock out the next health check, which completes in milliseconds. A request being
     * answered goes only when every connection is being answered: otherwise a flood of stalled sockets opened
     * while a scrape is produced or written (the scrape is then the oldest) would cut it short.
     */
    private void evictOldest() {
        Connection oldest = null;
        for (Connection c : open) {
            if (oldest == null || (oldest.answering && !c.answering)
                    || (oldest.answering == c.answering && c.deadline - oldest.deadline < 0)) {
                oldest = c;
            }
        }
        if (oldest != null && open.remove(oldest)) {
            reaped.incrementAndGet();
            closeQuietly(oldest.socket);
        }
    }

    private void reap() {
        long now = System.nanoTime();
        for (Connection c : open) {
            if (now - c.deadline > 0 && open.remove(c)) {
                reaped.incrementAndGet();
                LOG.debug("agent - closing {}: no complete request and response within {}",
                        c.socket.getRemoteSocketAddress(), REQUEST_DEADLINE);
                closeQuietly(c.socket);
            }
        }
    }

    private void serve(Connection c) {
        try (Socket s = c.socket) {
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            boolean keepAlive = true;
            while (keepAlive) {
                c.deadline = System.nanoTime() + REQUEST_DEADLINE.toNanos();
                c.answering = false;
                Head head;
                try {
                    head = readHead(in);
                } catch (BadRequest e) {
                    LOG.debug("agent - {} from {}", e.getMessage(), s.getRemoteSocketAddress());
                    if (e.status > 0) {
                        write(out, "GET", new Response(e.status, "text/plain; charset=utf-8", e.getMessage() + "\n"), false);
                    }
                    return;
                }
                if (head == null) {
                    return; // the client closed between requests
                }
                c.answering = true;
                keepAlive = head.keepAlive();
                Response r;
                try {
                    r = handler.handle(head.request());
                } catch (IOException | RuntimeException e) {
                    LOG.warn("agent - {} failed: {}", head.request().path(), e.toString());
                    r = new Response(500, "text/plain; charset=utf-8", "internal error\n");
                }
                write(out, head.request().method(), r, keepAlive);
            }
        } catch (IOException e) {
            // the client went away, or the reaper closed the connection: nothing to answer
        } finally {
            open.remove(c);
        }
    }

    private record Head(Request request, boolean keepAlive) {
    }

    /** The request line and headers, or null at a clean end of stream before the first byte. */
    private static Head readHead(InputStream in) throws IOException, BadRequest {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int b = in.read();
        // RFC 9112 2.2: ignore empty lines before a request line (an extra CRLF after the previous request)
        for (int skipped = 0; b == '\r' || b == '\n'; skipped++) {
            if (skipped >= MAX_HEAD_BYTES) {
                throw new BadRequest(431, "over " + MAX_HEAD_BYTES + " bytes of empty lines");
            }
            b = in.read();
        }
        if (b < 0) {
            return null;
        }
        if (b < 'A' || b > 'Z') {
            // methods are upper-case tokens; a TLS hello starts with 0x16. Nothing useful can be said to it.
            throw new BadRequest(0, "not an HTTP request (first byte 0x" + Integer.toHexString(b) + ")");
        }
        int newlines = 0;
        while (true) {
            head.write(b);
            if (head.size() > MAX_HEAD_BYTES) {
                throw new BadRequest(431, "request head over " + MAX_HEAD_BYTES + " bytes");
            }
            if (b == '\n') {
                if (++newlines == 2) {
                    break;
                }
            } else if (b != '\r') {
                newlines = 0;
            }
            b = in.read();
            if (b < 0) {
                throw new IOException("end of stream inside the request head");
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r?\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.") || !originForm(requestLine[1]).startsWith("/")) {
            throw new BadRequest(400, "bad request line");
        }
        boolean http11 = requestLine[2].equals("HTTP/1.1");
        boolean close = !http11;
        boolean body = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "connection" -> close = value.contains("close") || (!http11 && !value.contains("keep-alive"));
                case "content-length" -> body |= !value.equals("0");
                case "transfer-encoding" -> body = true;
                default -> { }
            }
        }
        String target = originForm(requestLine[1]);
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        // a body is never read (GET and HEAD have none): close rather than parse it as the next request
        return new Head(new Request(requestLine[0], path), !close && !body);
    }

    /**
     * The path and query of a request target: an absolute-form target ({@code http://host:port/health}, what a
     * client sends through a proxy, and which RFC 9112 says a server must accept) loses its scheme and authority.
     */
    private static String originForm(String target) {
        String lower = target.toLowerCase(Locale.ROOT);
        int scheme = lower.startsWith("http://") ? 7 : lower.startsWith("https://") ? 8 : -1;
        if (scheme < 0) {
            return target;
        }
        for (int i = scheme; i < target.length(); i++) {
            char ch = target.charAt(i);
            if (ch == '/') {
                return target.substring(i);
            }
            if (ch == '?' || ch == '#') {
                return "/" + target.substring(i);
            }
        }
        return "/";
    }

    private static void write(OutputStream out, String method, Response r, boolean keepAlive) throws IOException {
        byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(256).append("HTTP/1.1 ").append(r.status()).append(' ')
                .append(reason(r.status())).append("\r\n")
                .append("Content-Type: ").append(r.contentType()).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Cache-Control: no-store\r\n")
                .append("Connection: ").append(keepAlive ? "keep-alive" : "close").append("\r\n");
        r.headers().forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
        out.write(h.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!method.equals("HEAD")) {
            out.write(body);
        }
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing: nothing more to do with it
        }
    }

    /**
     * Stops accepting, waits for the acceptor, closes every connection and stops the reaper. The acceptor goes
     * first: a connection it had taken but not registered yet would otherwise be registered after the sweep and
     * stay open for good, its reader blocked and no reaper left to end it.
     */
    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Connection c : open) {
            closeQuietly(c.socket);
        }
        open.clear();
        reaper.shutdownNow();
    }
}
