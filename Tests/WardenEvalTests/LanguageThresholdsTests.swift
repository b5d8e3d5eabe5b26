import Testing
import WardenCore
@testable import WardenEval

@Suite("Per-language thresholds")
struct LanguageThresholdsTests {
    /// `count` safe items of `language` scoring evenly from 0 to `top`.
    static func safe(_ language: String?, count: Int, top: Double, source: String = "s") -> [(LabelledExample, LabelScores)] {
        (0..<count).map { index in
            let example = LabelledExample(
                id: "\(source)-\(language ?? "none")-\(index)", source: source, prompt: "p", unsafe: false,
                origLabels: language.map { ["lang": .string($0)] })
            return (example, LabelScores(["unsafe": top * Double(index) / Double(count - 1)]))
        }
    }

    @Test("only languages flagged outside the band get their own threshold, chosen for the target on their items")
    func choosesOutsideTheBand() {
        // At the shared 0.5: de flags 0 of 100 (below 1%), fr 50 of 100 (above 6%), it 3 of 100 (inside), th has too few
        // items, and English is the reference.
        let items = Self.safe("de", count: 100, top: 0.4) + Self.safe("fr", count: 100, top: 1.0)
            + Self.safe("it", count: 100, top: 0.5 / 0.97) + Self.safe("th", count: 20, top: 1.0) + Self.safe(nil, count: 100, top: 1.0)
        let unsafeItem = (LabelledExample(id: "u", source: "s", prompt: "p", unsafe: true, origLabels: ["lang": .string("fr")]),
                          LabelScores(["unsafe": 0.99]))
        let all = items + [unsafeItem]
        let chosen = LanguageThresholds.choose(
            examples: all.map(\.0), scores: all.map(\.1), shared: 0.5, band: 0.01...0.06, targetRate: 0.03, floor: 0.05)
        let rows = Dictionary(uniqueKeysWithValues: chosen.rows.map { ($0.language, $0) })
        #expect(Set(rows.keys) == ["de", "fr", "it", "th"])
        #expect(rows["fr"]!.sharedRate == 0.5 && rows["fr"]!.threshold! > 0.96 && rows["fr"]!.rate! <= 0.03)
        #expect(rows["de"]!.sharedRate == 0 && rows["de"]!.threshold! < 0.4 && rows["de"]!.rate! <= 0.03 && rows["de"]!.rate! > 0.01)
        #expect(rows["it"]!.threshold == nil)
        #expect(rows["th"]!.threshold == nil && rows["th"]!.safeItems == 20)
        #expect(Set(chosen.manifestValue.keys) == ["de", "fr"])
    }

    @Test("safe items of a narrow source (safe for one task only) do not count: a language left with too few keeps the shared threshold")
    func narrowSourcesDoNotCount() {
        // 200 German comments "safe" for the source's task, half of them hostile and scored high, and 30 harmless ones.
        let all = Self.safe("de", count: 200, top: 1.0, source: "germeval2026") + Self.safe("de", count: 30, top: 0.3, source: "rtplx")
        let counted = LanguageThresholds.choose(
            examples: all.map(\.0), scores: all.map(\.1), shared: 0.5, band: 0.01...0.06, targetRate: 0.03, floor: 0.05)
        #expect(counted.rows.first?.safeItems == 230 && counted.manifestValue["de"] != nil)
        let corrected = LanguageThresholds.choose(
            examples: all.map(\.0), scores: all.map(\.1), shared: 0.5, band: 0.01...0.06, targetRate: 0.03, floor: 0.05,
            narrowSources: ["germeval2026"])
        #expect(corrected.rows.first?.safeItems == 30 && corrected.rows.first?.sharedRate == 0)
        #expect(corrected.manifestValue.isEmpty)
    }
}
