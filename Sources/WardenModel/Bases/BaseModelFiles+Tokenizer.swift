import Foundation
import WardenTokenizer

/// Why a base model's tokenizer does not fit its encoder.
public enum TokenizerMismatchError: Error, LocalizedError, Equatable {
    case mismatch(directory: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .mismatch(let directory, let reason):
            "The tokenizer files in \(directory) do not belong to its config.json: \(reason). Fetch the base again with --force."
        }
    }
}

extension BaseModelFiles {
    /// The tokenizer of the family `config.json` names (WordPiece `vocab.txt`, or SentencePiece `unigram.tsv` and
    /// `normalization.tsv`), checked against the configuration's vocabulary size and framing ids.
    /// - Parameter specialTokensInText: `.plainText` for untrusted input (serving, training).
    public func tokenizer(specialTokensInText: BertTokenizer.SpecialTokensInText = .plainText) throws -> any Tokenizer {
        let configuration = try EncoderConfiguration.load(from: self.configuration)
        return try Self.tokenizer(directory: directory, configuration: configuration, specialTokensInText: specialTokensInText)
    }

    /// ``tokenizer(specialTokensInText:)`` for a configuration already loaded.
    public static func tokenizer(directory: URL, configuration c: EncoderConfiguration,
                                 specialTokensInText: BertTokenizer.SpecialTokensInText) throws -> any Tokenizer {
        let tokenizer: any Tokenizer
        switch c.tokenizerFamily {
        case .wordPiece:
            tokenizer = try BertTokenizer(vocabularyURL: directory.appendingPathComponent("vocab.txt"), specialTokensInText: specialTokensInText)
        case .sentencePiece:
            tokenizer = try SentencePieceTokenizer(directory: directory, specialTokensInText: specialTokensInText)
        }
        func fail(_ reason: String) -> TokenizerMismatchError { .mismatch(directory: directory.path, reason: reason) }
        guard tokenizer.vocabularySize <= c.vocabularySize else {
            throw fail("\(tokenizer.vocabularySize) pieces for \(c.vocabularySize) embedding rows")
        }
        let ids = tokenizer.specialIDs
        if let start = c.startTokenID, start != Int(ids.classification) {
            throw fail("bos_token_id is \(start) but the vocabulary's start token is \(ids.classification)")
        }
        if let end = c.endTokenID, end != Int(ids.separator) {
            throw fail("eos_token_id is \(end) but the vocabulary's end token is \(ids.separator)")
        }
        return tokenizer
    }
}

extension ModelManifest.BaseReference {
    /// What a bundle records about the base it was trained on: the pinned files, its name and tokenizer family.
    public init(spec: BaseModelSpec, tokenizer: TokenizerFamily) {
        self.init(package: spec.package, version: spec.version, sha256: spec.sha256, name: spec.name, tokenizer: tokenizer)
    }
}
