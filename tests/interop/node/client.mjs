// A Node.js client of newsledger: appends a negotiation's opening and a statement, then
// reads the negotiation's view back and prints it as JSON on stdout.
//
// Usage: node client.mjs HOST:PORT NEGOTIATION_ID [TOKEN]
// GOOGLEAPIS_PROTO_ROOT names the directory holding google/api/field_behavior.proto.
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import path from "node:path";
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";

const [target, negotiationId, token] = process.argv.slice(2);
const here = path.dirname(fileURLToPath(import.meta.url));
const includeDirs = [path.resolve(here, "../../../proto")];
if (process.env.GOOGLEAPIS_PROTO_ROOT) includeDirs.push(process.env.GOOGLEAPIS_PROTO_ROOT);

const definition = protoLoader.loadSync(
  ["newsledger/v1/event_store.proto", "newsledger/v1/negotiations.proto"],
  { includeDirs, keepCase: true, longs: String, enums: String, defaults: false, oneofs: true },
);
const v1 = grpc.loadPackageDefinition(definition).newsledger.v1;
const credentials = grpc.credentials.createInsecure();
const events = new v1.EventStoreService(target, credentials);
const negotiations = new v1.NegotiationService(target, credentials);

const metadata = new grpc.Metadata();
if (token) metadata.set("authorization", `Bearer ${token}`);
metadata.set("x-request-id", "node-interop-1");

function call(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, metadata, { deadline: Date.now() + 20000 }, (error, response) =>
      error ? reject(error) : resolve(response),
    );
  });
}

const report = {
  occurred: { precision: "DATE_PRECISION_DAY", start_date: "2025-06-10" },
  sources: [{ source_id: "src-wire", outlet: "Wire", kind: "SOURCE_KIND_WIRE" }],
};
const opened = {
  negotiation_id: negotiationId,
  title: "Interop talks",
  parties: [
    { party_id: "aa", name: "Atlantis", kind: "PARTY_KIND_STATE" },
    { party_id: "bb", name: "Borduria", kind: "PARTY_KIND_STATE" },
  ],
};
const statement = {
  statement_id: "statement-node",
  speaker_id: "speaker",
  kind: "STATEMENT_KIND_REMARK",
  report: { ...report, sources: [{ ...report.sources[0], quotes: [
    { speaker_id: "speaker", text: "Sent from Node.js.", verbatim: true },
  ] }] },
};
const speaker = {
  person_id: "speaker",
  name: "A Speaker",
  party_id: "aa",
  report,
};
const proposed = (eventType, payload) => ({
  event_id: randomUUID(),
  event_type: eventType,
  schema_version: 1,
  payload_json: JSON.stringify(payload),
  metadata_json: JSON.stringify({ client: "node" }),
});

try {
  const appended = await call(events, "AppendEvents", {
    stream: `negotiation-${negotiationId}`,
    expected_version: { no_stream: {} },
    events: [
      proposed("NegotiationOpened", opened),
      proposed("PersonRoleAssigned", speaker),
      proposed("StatementMade", statement),
    ],
  });
  const view = await call(negotiations, "GetNegotiation", {
    negotiation_id: negotiationId,
    as_of: "2025-06-11",
  });
  console.log(JSON.stringify({ appended, view }));
} catch (error) {
  console.error(`${error.code} ${error.details}`);
  process.exitCode = 1;
} finally {
  events.close();
  negotiations.close();
}
