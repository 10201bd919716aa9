package mwva.neo4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Neo4j Community 5.26, embedded, with a Bolt listener on 0.0.0.0:7687: the stand-in for the
 * official neo4j image. Honours the official image's variables as docker-compose.yml uses them:
 *
 * <ul>
 *   <li>{@code NEO4J_AUTH_FILE} (or {@code NEO4J_AUTH}): "neo4j/PASSWORD" sets the password of the
 *       neo4j user on the first start (there is no default password), "none" disables auth;
 *   <li>{@code NEO4J_server_memory_pagecache_size}: page cache (the heap is a JVM flag, set by
 *       the entrypoint from {@code NEO4J_server_memory_heap_max__size});
 *   <li>data under /data (the volume).
 * </ul>
 *
 * Runs until SIGTERM, then shuts the database down cleanly.
 */
public final class Server {
  private static final Path HOME = Path.of("/var/lib/neo4j");
  private static final Path DATA = Path.of("/data");

  private Server() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    String auth = readAuth(env);
    boolean authEnabled = !"none".equals(auth);
    boolean firstStart = !Files.exists(DATA.resolve("databases").resolve("system"));
    if (authEnabled && firstStart) setInitialPassword(env, passwordOf(auth));

    long t0 = System.nanoTime();
    DatabaseManagementService dbms = builder(env, authEnabled, true).build();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("neo4j: shutting down");
                  try {
                    dbms.shutdown();
                  } finally {
                    System.out.println("neo4j: stopped");
                    System.out.flush();
                    stopped.countDown();
                  }
                },
                "neo4j-shutdown"));
    dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
    System.out.printf(
        "neo4j: Bolt enabled on 0.0.0.0:7687 (auth %s, started in %d ms)%n",
        authEnabled ? "enabled" : "disabled", (System.nanoTime() - t0) / 1_000_000);
    System.out.flush();
    stopped.await();
  }

  private static DatabaseManagementServiceBuilder builder(
      Map<String, String> env, boolean authEnabled, boolean bolt) {
    DatabaseManagementServiceBuilder b =
        new DatabaseManagementServiceBuilder(HOME)
            .setConfig(GraphDatabaseSettings.data_directory, DATA)
            .setConfig(BoltConnector.enabled, bolt)
            .setConfig(BoltConnector.listen_address, new SocketAddress("0.0.0.0", 7687))
            .setConfig(HttpConnector.enabled, false)
            .setConfig(GraphDatabaseSettings.auth_enabled, authEnabled);
    String pageCache = env.get("NEO4J_server_memory_pagecache_size");
    if (pageCache != null && !pageCache.isBlank()) {
      b.setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pageCache));
    }
    return b;
  }

  /**
   * First start: the system database is created with the built-in neo4j user (password
   * "neo4j", change required); set the configured password before Bolt ever listens, as
   * `neo4j-admin dbms set-initial-password` does for the official image.
   */
  private static void setInitialPassword(Map<String, String> env, String password) {
    if (password.length() < 8 || password.equals("neo4j")) {
      fail("NEO4J_AUTH: the password must have at least 8 characters and not be 'neo4j'");
    }
    DatabaseManagementService setup = builder(env, true, false).build();
    try {
      setup
          .database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME)
          .executeTransactionally(
              "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
              Map.of("password", password));
      System.out.println("neo4j: initial password of user neo4j set from NEO4J_AUTH");
    } finally {
      setup.shutdown();
    }
  }

  private static String readAuth(Map<String, String> env) throws Exception {
    String file = env.get("NEO4J_AUTH_FILE");
    String auth = file != null && !file.isBlank() ? Files.readString(Path.of(file)).strip() : env.get("NEO4J_AUTH");
    if (auth == null || auth.isBlank()) fail("NEO4J_AUTH or NEO4J_AUTH_FILE is required (neo4j/PASSWORD or none)");
    return auth;
  }

  private static String passwordOf(String auth) {
    if (!auth.startsWith("neo4j/")) fail("NEO4J_AUTH must be neo4j/PASSWORD or none");
    return auth.substring("neo4j/".length());
  }

  private static void fail(String message) {
    System.err.println("neo4j: " + message);
    System.exit(1);
  }
}
