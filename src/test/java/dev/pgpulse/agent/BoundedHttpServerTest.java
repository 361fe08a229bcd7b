package dev.pgpulse.agent;

import dev.pgpulse.agent.BoundedHttpServer.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The agent's HTTP server on real sockets, byte for byte as clients send them, with a handler that answers the
 * method and path it was given (what the agent's routes match on).
 */
@Timeout(120)
class BoundedHttpServerTest {
    private static final String BIG = "x".repeat(20_000_000);

    private static BoundedHttpServer start(BoundedHttpServer.Handler handler) throws IOException {
        BoundedHttpServer s = BoundedHttpServer.bind(InetAddress.getLoopbackAddress(), 0, handler);
        s.start();
        return s;
    }

    private static BoundedHttpServer echo() throws IOException {
        return start(r -> switch (r.path()) {
            case "/big" -> new Response(200, "text/plain", BIG);
            case "/fail" -> throw new IllegalStateException("snapshot failed");
            default -> new Response(200, "text/plain", r.method() + " " + r.path() + "\n");
        });
    }

    /** Sends the bytes, then reads until the server closes: what came back, and how it ended. */
    private static String exchange(int port, String send) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(send.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return readToEnd(s);
        }
    }

    private static String readToEnd(Socket s) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            InputStream in = s.getInputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                got.write(buf, 0, n);
            }
            return got.toString(StandardCharsets.ISO_8859_1) + "[closed]";
        } catch (IOException e) {
            return got.toString(StandardCharsets.ISO_8859_1) + "[" + e + "]";
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** RFC 9112 3.2.2: a server must accept the absolute form (what a client sends through a proxy). */
    @Test
    void anAbsoluteFormTargetIsServedByItsPath() throws Exception {
        try (BoundedHttpServer srv = echo()) {
            String host = "127.0.0.1:" + srv.port();
            assertThat(exchange(srv.port(), "GET http://" + host + "/health HTTP/1.1\r\nHost: " + host
                    + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200 ").contains("\r\n\r\nGET /health\n");
            assertThat(exchange(srv.port(), "GET HTTP://" + host + "/metrics?x=/y HTTP/1.1\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 200 ").contains("\r\n\r\nGET /metrics\n");
            assertThat(exchange(srv.port(), "GET http://" + host + "?a=/health HTTP/1.1\r\nConnection: close\r\n\r\n"))
                    .contains("\r\n\r\nGET /\n");
            assertThat(exchange(srv.port(), "GET ftp://" + host + "/health HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        }
    }

    /**
     * What a health checker or scraper may send: a query string (ignored), percent-encoding (not decoded: no
     * route has an encoded character, so it is a 404 upstream), bare LF line ends, HTTP/1.0 (closed after the
     * answer unless it asks for keep-alive), pipelined HTTP/1.1 requests (answered in order), a body on a GET
     * (answered, then closed rather than read as the next request), and malformed request lines (400, closed).
     */
    @Test
    void whatClientsSendIsAnsweredOrRefusedCleanly() throws Exception {
        try (BoundedHttpServer srv = echo()) {
            int p = srv.port();
            assertThat(exchange(p, "GET /health?x=1 HTTP/1.1\r\nConnection: close\r\n\r\n")).endsWith("GET /health\n[closed]");
            assertThat(exchange(p, "GET /%68ealth HTTP/1.1\r\nConnection: close\r\n\r\n")).endsWith("GET /%68ealth\n[closed]");
            assertThat(exchange(p, "GET /health HTTP/1.1\nHost: x\nConnection: close\n\n")).endsWith("GET /health\n[closed]");
            assertThat(exchange(p, "GET /health HTTP/1.0\r\n\r\nGET /metrics HTTP/1.0\r\n\r\n"))
                    .contains("Connection: close\r\n").endsWith("GET /health\n[closed]");
            String keptAlive = exchange(p, "GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /metrics HTTP/1.0\r\n\r\n");
            assertThat(keptAlive).contains("GET /health\nHTTP/1.1 200 ").endsWith("GET /metrics\n[closed]");
            String pipelined = exchange(p, "GET /health HTTP/1.1\r\n\r\nHEAD /alerts HTTP/1.1\r\n\r\n"
                    + "GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n");
            assertThat(pipelined.split("HTTP/1.1 200 ", -1)).hasSize(4);
            assertThat(pipelined).contains("GET /health\n").doesNotContain("HEAD /alerts\n").endsWith("GET /metrics\n[closed]");
            for (String body : List.of("Content-Length: 5\r\n\r\nhello", "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                    "Expect: 100-continue\r\nContent-Length: 5\r\n\r\nhello")) {
                assertThat(exchange(p, "GET /health HTTP/1.1\r\n" + body + "GET /metrics HTTP/1.1\r\n\r\n"))
                        .as(body).contains("Connection: close\r\n").endsWith("GET /health\n[closed]");
            }
            for (String line : List.of("GET /health HTTP/2.0", "GET /health HTTP/1.1 x", "GET  /health HTTP/1.1",
                    "GET health HTTP/1.1", "OPTIONS * HTTP/1.1")) {
                assertThat(exchange(p, line + "\r\n\r\n")).as(line).startsWith("HTTP/1.1 400 ").endsWith("[closed]");
            }
            assertThat(exchange(p, "\u0016\u0003\u0001\u0002\u0000")).as("a TLS hello").isEqualTo("[closed]");
        }
    }

    /** RFC 9112 2.2: empty lines before a request line are ignored (some clients end a request with an extra CRLF). */
    @Test
    void emptyLinesBeforeARequestLineAreIgnored() throws Exception {
        try (BoundedHttpServer srv = echo()) {
            assertThat(exchange(srv.port(), "\r\nGET /health HTTP/1.1\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 200 ").endsWith("GET /health\n[closed]");
            assertThat(exchange(srv.port(), "GET /health HTTP/1.1\r\n\r\n\r\n\nGET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n"))
                    .contains("GET /health\nHTTP/1.1 200 ").endsWith("GET /metrics\n[closed]");
            assertThat(exchange(srv.port(), "\r\n".repeat(BoundedHttpServer.MAX_HEAD_BYTES) + "GET /health HTTP/1.1\r\n\r\n"))
                    .as("no end of empty lines").startsWith("HTTP/1.1 431 ");
        }
    }

    @Test
    void headsUpTo16KiBAreReadAndOneByteMoreIs431() throws Exception {
        try (BoundedHttpServer srv = echo()) {
            String start = "GET /health HTTP/1.1\r\nConnection: close\r\nX-Pad: ";
            String exact = start + "z".repeat(BoundedHttpServer.MAX_HEAD_BYTES - start.length() - 4) + "\r\n\r\n";
            assertThat(exact).hasSize(BoundedHttpServer.MAX_HEAD_BYTES);
            assertThat(exchange(srv.port(), exact)).startsWith("HTTP/1.1 200 ");
            assertThat(exchange(srv.port(), exact.replace("X-Pad: ", "X-Pad: z"))).startsWith("HTTP/1.1 431 ");
            StringBuilder many = new StringBuilder("GET /health HTTP/1.1\r\n");
            while (many.length() < 64 * 1024) {
                many.append("X-Many: 1\r\n");
            }
            assertThat(exchange(srv.port(), many.append("\r\n").toString())).startsWith("HTTP/1.1 431 ");
        }
    }

    /** A handler that throws (Orchestrator.snapshot() failing) is a 500, and the connection serves on. */
    @Test
    void aFailingHandlerIsA500AndTheConnectionServesOn() throws Exception {
        try (BoundedHttpServer srv = echo()) {
            String r = exchange(srv.port(), "GET /fail HTTP/1.1\r\n\r\nGET /health HTTP/1.1\r\nConnection: close\r\n\r\n");
            assertThat(r).startsWith("HTTP/1.1 500 ").contains("internal error\n").endsWith("GET /health\n[closed]")
                    .doesNotContain("snapshot failed");
        }
    }

    /** A client that asks for a large answer and never reads it holds its connection no longer than the deadline. */
    @Test
    void aClientThatDoesNotReadItsAnswerIsClosedAtTheDeadline() throws Exception {
        try (BoundedHttpServer srv = echo(); Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", srv.port()));
            long t0 = System.nanoTime();
            s.getOutputStream().write("GET /big HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            await().atMost(BoundedHttpServer.REQUEST_DEADLINE.plusSeconds(5)).until(() -> srv.openConnections() == 0);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(BoundedHttpServer.REQUEST_DEADLINE);
            assertThat(srv.reapedConnections()).isEqualTo(1);
        }
    }

    /**
     * At the cap the server closes a connection to make room. A request it is answering (a scrape the handler is
     * still producing, or writing to a slow link) goes last: while any connection is still waiting for its request
     * head (what a flood of stalled sockets is), one of those goes instead, so a flood cannot cut a scrape short.
     */
    @Test
    void aFloodAtTheCapEvictsStalledConnectionsNotARequestBeingAnswered() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Socket> flood = new ArrayList<>();
        try (BoundedHttpServer srv = start(r -> {
            if (r.path().equals("/metrics")) {
                inHandler.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new Response(200, "text/plain", "scraped\n");
        }); Socket scrape = new Socket("127.0.0.1", srv.port())) {
            scrape.setSoTimeout(15_000);
            scrape.getOutputStream().write("GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(inHandler.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> readToEnd(scrape));
            for (int i = 0; i < BoundedHttpServer.MAX_CONNECTIONS + 100; i++) {
                Socket s = new Socket("127.0.0.1", srv.port());
                s.getOutputStream().write("GET /health HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
                flood.add(s);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> srv.reapedConnections() >= 100);
            release.countDown();
            assertThat(answer.get(10, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200 ").endsWith("scraped\n[closed]");
        } finally {
            release.countDown();
            for (Socket s : flood) {
                s.close();
            }
        }
    }

    /**
     * close() while clients keep connecting: the acceptor may have taken a connection it has not registered yet,
     * and that one must be closed too (before, about one close in 25 left it open for good, its reader blocked and
     * no reaper left to end it).
     */
    @Test
    void closeWhileClientsConnectLeavesNoConnectionOpen() throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (int round = 0; round < 400 && System.nanoTime() < until; round++) {
            BoundedHttpServer srv = echo();
            List<Socket> clients = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.atomic.AtomicBoolean connecting = new java.util.concurrent.atomic.AtomicBoolean(true);
            List<Thread> storm = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                storm.add(Thread.ofPlatform().start(() -> {
                    while (connecting.get()) {
                        try {
                            clients.add(new Socket("127.0.0.1", srv.port()));
                        } catch (IOException refused) {
                            return; // the listener is closed
                        }
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> clients.size() >= 50);
            srv.close();
            int left = srv.openConnections();
            connecting.set(false);
            for (Thread t : storm) {
                t.join(Duration.ofSeconds(5));
            }
            for (Socket s : clients) {
                s.close();
            }
            assertThat(left).as("connections open after close(), round %d", round).isZero();
        }
    }

    /**
     * Thousands of connections, a thousand at once over the cap, then close() with requests in flight (stalled heads
     * and unread large answers): every server-side socket is closed, close() is quick, and the process holds as
     * many descriptors as before (give or take 20 the JVM may open meanwhile; a leak here is hundreds).
     */
    @Test
    void thousandsOfConnectionsAndACloseInFlightLeaveNoDescriptorsOpen() throws Exception {
        long before = openDescriptors();
        List<Socket> clients = new ArrayList<>();
        try {
            BoundedHttpServer srv = echo();
            for (int i = 0; i < 2_000; i++) {
                assertThat(exchange(srv.port(), "GET /h HTTP/1.1\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200 ");
            }
            for (int i = 0; i < 1_000; i++) {
                Socket s = new Socket("127.0.0.1", srv.port());
                s.getOutputStream().write((i % 3 == 0 ? "GET /big HTTP/1.1\r\n\r\n" : "GET /h HTTP/1.1\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                clients.add(s);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> srv.reapedConnections() >= 1_000 - BoundedHttpServer.MAX_CONNECTIONS);
            assertThat(srv.openConnections()).isLessThanOrEqualTo(BoundedHttpServer.MAX_CONNECTIONS);
            long t0 = System.nanoTime();
            srv.close();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            assertThat(srv.openConnections()).isZero();
            for (Socket s : clients) {
                s.setSoTimeout(10_000);
                assertThat(readToEnd(s)).doesNotContain("SocketTimeoutException");
            }
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openDescriptors()).isLessThanOrEqualTo(before + 20));
    }
}
