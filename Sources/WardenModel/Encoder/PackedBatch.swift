/// Several token sequences of different lengths concatenated into one batch, with no padding.
///
/// Sequence `i` occupies tokens `sequenceOffsets[i] ..< sequenceOffsets[i + 1]`. The encoder restarts positions
/// at 0 (plus the configuration's offset) for each sequence and attends only within it, so packing wastes no compute on padding. An optional
/// per-token attention mask supports HF-style padded input: a masked token is never attended to and is left out
/// of mean pooling, but it still occupies a position (exactly as `BertModel` treats padding).
public struct PackedBatch: Sendable, Equatable {
    public private(set) var tokenIDs: [Int] = []
    public private(set) var tokenTypeIDs: [Int] = []
    /// `nil` when every token is real; otherwise `false` marks padding.
    public private(set) var attentionMask: [Bool]?
    /// Start of each sequence, plus the total token count at the end.
    public private(set) var sequenceOffsets: [Int] = [0]

    /// An empty batch; add sequences with ``append(tokenIDs:tokenTypeIDs:attentionMask:)``.
    public init() {}

    /// A batch of unpadded sequences (token types default to 0).
    public init(sequences: [[Int]], tokenTypeIDs: [[Int]]? = nil) {
        precondition(tokenTypeIDs == nil || tokenTypeIDs!.count == sequences.count, "one token-type list per sequence")
        for (i, ids) in sequences.enumerated() {
            append(tokenIDs: ids, tokenTypeIDs: tokenTypeIDs?[i])
        }
    }

    /// A batch from HF-style padded rows (`input_ids`, `attention_mask`, `token_type_ids`, each `[batch][length]`).
    ///
    /// - Parameter trimTrailingPadding: drop the masked tail of each row (it cannot influence the real tokens),
    ///   which is what makes packing cheaper than padding. With `false` the padding is kept and masked.
    public init(paddedInputIDs: [[Int]], attentionMask: [[Int]], tokenTypeIDs: [[Int]]? = nil, trimTrailingPadding: Bool = true) {
        precondition(paddedInputIDs.count == attentionMask.count, "one mask row per input row")
        for (i, row) in paddedInputIDs.enumerated() {
            let mask = attentionMask[i].map { $0 != 0 }
            precondition(mask.count == row.count, "mask row \(i) length differs from its input row")
            var length = row.count
            if trimTrailingPadding {
                while length > 0 && !mask[length - 1] { length -= 1 }
            }
            append(
                tokenIDs: Array(row[..<length]), tokenTypeIDs: tokenTypeIDs.map { Array($0[i][..<length]) },
                attentionMask: Array(mask[..<length]))
        }
    }

    /// Appends one sequence.
    public mutating func append(tokenIDs ids: [Int], tokenTypeIDs types: [Int]? = nil, attentionMask mask: [Bool]? = nil) {
        precondition(types == nil || types!.count == ids.count, "token types must match the token count")
        precondition(mask == nil || mask!.count == ids.count, "attention mask must match the token count")
        if let mask, mask.contains(false), attentionMask == nil {
            attentionMask = [Bool](repeating: true, count: tokenIDs.count)
        }
        tokenIDs += ids
        tokenTypeIDs += types ?? [Int](repeating: 0, count: ids.count)
        if attentionMask != nil {
            attentionMask! += mask ?? [Bool](repeating: true, count: ids.count)
        }
        sequenceOffsets.append(tokenIDs.count)
    }

    /// The number of sequences.
    public var count: Int { sequenceOffsets.count - 1 }
    /// The number of tokens over all sequences.
    public var tokenCount: Int { tokenIDs.count }

    /// The token rows of sequence `index`.
    public func range(ofSequence index: Int) -> Range<Int> { sequenceOffsets[index]..<sequenceOffsets[index + 1] }

    /// The length of the longest sequence.
    public var longestSequence: Int { (0..<count).map { range(ofSequence: $0).count }.max() ?? 0 }

    /// Checks ids, token types and lengths against the model.
    func validate(for configuration: EncoderConfiguration) throws {
        for s in 0..<count {
            let r = range(ofSequence: s)
            if r.count > configuration.maxSequenceLength {
                throw EncoderError.sequenceTooLong(sequence: s, length: r.count, maximum: configuration.maxSequenceLength)
            }
            for t in r {
                if tokenIDs[t] < 0 || tokenIDs[t] >= configuration.vocabularySize {
                    throw EncoderError.tokenOutOfRange(sequence: s, position: t - r.lowerBound, tokenID: tokenIDs[t], vocabularySize: configuration.vocabularySize)
                }
                if tokenTypeIDs[t] < 0 || tokenTypeIDs[t] >= configuration.typeVocabularySize {
                    throw EncoderError.tokenTypeOutOfRange(sequence: s, position: t - r.lowerBound, tokenTypeID: tokenTypeIDs[t], typeVocabularySize: configuration.typeVocabularySize)
                }
            }
        }
    }
}
