package local.neo4j;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Embedded Neo4j Community server with a Bolt listener, for local tests.
 *
 * <p>Usage: {@code java -cp ... local.neo4j.Launcher HOME_DIR [HOST] [PORT]}. Runs until SIGTERM /
 * SIGINT, then shuts the database down cleanly. Authentication is disabled (localhost only).
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: Launcher HOME_DIR [HOST] [PORT]");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    String host = args.length > 1 ? args[1] : "127.0.0.1";
    int port = args.length > 2 ? Integer.parseInt(args[2]) : 57687;

    long t0 = System.nanoTime();
    DatabaseManagementService dbms =
        new DatabaseManagementServiceBuilder(home)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
            .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
            .setConfig(HttpConnector.enabled, false)
            .setConfig(GraphDatabaseSettings.auth_enabled, false)
            .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(128))
            .build();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("neo4j-launcher: shutting down");
                  try {
                    dbms.shutdown();
                  } finally {
                    System.out.println("neo4j-launcher: stopped");
                    System.out.flush();
                    stopped.countDown();
                  }
                },
                "neo4j-shutdown"));

    GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
    // Touch the database once so it is fully available before we announce readiness.
    db.executeTransactionally("RETURN 1");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf(
        "neo4j-launcher: Bolt enabled on %s:%d (home %s, started in %d ms)%n", host, port, home, ms);
    System.out.flush();
    stopped.await();
  }
}
