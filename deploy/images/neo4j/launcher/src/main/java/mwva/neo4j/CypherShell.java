package mwva.neo4j;

import java.util.concurrent.TimeUnit;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Record;
import org.neo4j.driver.Result;
import org.neo4j.driver.Session;

/**
 * The part of cypher-shell that docker-compose.yml's healthcheck uses:
 * {@code cypher-shell [-a ADDRESS] -u USER -p PASSWORD 'QUERY'}. Runs the query over Bolt with
 * the official Java driver, prints each record, exits 0; any failure (connection, auth, query)
 * prints the reason and exits 1.
 */
public final class CypherShell {
  private CypherShell() {}

  public static void main(String[] args) {
    String address = "bolt://localhost:7687";
    String user = "neo4j";
    String password = "";
    String query = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "-a", "--address" -> address = args[++i];
        case "-u", "--username" -> user = args[++i];
        case "-p", "--password" -> password = args[++i];
        case "--format", "-d", "--database" -> i++;
        default -> query = args[i];
      }
    }
    if (query == null) {
      System.err.println("usage: cypher-shell [-a ADDRESS] -u USER -p PASSWORD 'QUERY'");
      System.exit(2);
    }
    Config config =
        Config.builder()
            .withConnectionTimeout(5, TimeUnit.SECONDS)
            .withoutEncryption()
            .withLogging(org.neo4j.driver.Logging.none())
            .build();
    try (Driver driver = GraphDatabase.driver(address, AuthTokens.basic(user, password), config);
        Session session = driver.session()) {
      Result result = session.run(query);
      for (Record r : result.list()) System.out.println(r.values());
    } catch (Exception e) {
      System.err.println("cypher-shell: " + e.getMessage());
      System.exit(1);
    }
  }
}
