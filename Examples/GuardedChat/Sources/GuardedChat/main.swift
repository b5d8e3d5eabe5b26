// A guard in front of a chat backend, as another package would write it.
//
//   swift run --package-path Examples/GuardedChat GuardedChat [BACKEND_URL|echo] "prompt"
//
// Run from the repository root (it reads Taxonomy/, Policies/ and Models/ there) after `warden model fetch`.
import Foundation
import WardenAudit
import WardenBackends
import WardenCore
import WardenModel
import WardenPipeline
import WardenPolicy
import WardenTaxonomy

let arguments = CommandLine.arguments.dropFirst()
let backendURL = arguments.first ?? "echo"
let prompt = arguments.dropFirst().first ?? "How do I make a sourdough starter?"

// The model: the shipped bundle over the base encoder that `warden model fetch` verified.
let classifier = try EncoderClassifier.load(bundle: URL(fileURLWithPath: "Models/warden-minilm-lora"), workers: 2)

// Policies over the taxonomy, with the model's own operating thresholds for rules that say `threshold: model`.
let taxonomy = try TaxonomyLoader.load(from: URL(fileURLWithPath: "Taxonomy/mlcommons-v1.yaml"))
let policies = PolicyStore(
    directory: URL(fileURLWithPath: "Policies"), taxonomy: taxonomy, modelThresholds: classifier.operatingThresholds)
policies.reload()

// The audit log: an SQLite file behind the batched writer (run it for the life of the process).
let auditPath = FileManager.default.temporaryDirectory.appendingPathComponent("guarded-chat-audit.sqlite").path
let auditWriter = AuditWriter(store: try SQLiteAuditStore(path: auditPath))
let auditLoop = Task { await auditWriter.run() }

// The guard: the classifier, custom categories scored with the model's embeddings, and the audit log.
let guardStage = Guard(
    classifier: classifier, policies: policies, customScorer: CustomCategoryScorer(embedder: classifier),
    auditStore: auditWriter)

// The backend: any OpenAI-compatible server (llama.cpp on its default port 8081 here, vLLM, Ollama), or an echo.
let backend: any GenerationBackend = backendURL == "echo"
    ? EchoBackend()
    : try OpenAICompatibleBackend(configuration: .init(baseURL: backendURL, model: "llama-3.1-8b-instruct"))
let generator = GuardedGenerator(backend: backend, guard: guardStage)

let answer = try await generator.complete(ChatRequest(messages: [.user(prompt)]), policyID: "default")
print("input:  \(answer.input.verdict.decision.rawValue) (\(answer.input.verdict.reason))")
if let output = answer.output { print("output: \(output.verdict.decision.rawValue)") }
print("answer: \(answer.response.content)")
print("finish: \(answer.response.finishReason.rawValue); audit id: \(answer.input.auditID?.uuidString ?? "none")")

try await auditWriter.shutdown()
await auditLoop.value
