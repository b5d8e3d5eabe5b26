/// Model input for one sequence: `[CLS] A [SEP]` or `[CLS] A [SEP] B [SEP]`, unpadded.
///
/// The attention mask is implied (all ones over ``count``); the encoder pads when it packs a batch.
public struct Encoding: Sendable, Equatable {
    /// Token ids including the special tokens.
    public let ids: [Int32]
    /// Segment ids: 0 for `[CLS] A [SEP]`, 1 for `B [SEP]`.
    public let typeIDs: [Int32]
    /// How many word pieces truncation removed (0 when everything fit).
    public let droppedPieceCount: Int

    public init(ids: [Int32], typeIDs: [Int32], droppedPieceCount: Int = 0) {
        precondition(ids.count == typeIDs.count, "ids and typeIDs must have the same length")
        self.ids = ids
        self.typeIDs = typeIDs
        self.droppedPieceCount = droppedPieceCount
    }

    public var count: Int { ids.count }
    public var isTruncated: Bool { droppedPieceCount > 0 }
}

/// How a sequence longer than the model's maximum length is cut.
public enum TruncationStrategy: Sendable, Equatable {
    /// Hugging Face `longest_first` (Rust `tokenizers`): keep as much of the shorter segment as fits in
    /// half the budget, give the rest to the longer one; when both exceed half, the first segment gets
    /// `budget / 2` unless it is strictly the longer one (then it gets the odd extra piece).
    /// Cuts the ends of segments. For one segment it keeps the start.
    case longestFirst
    /// Drop pieces from the *start* of the first segment until everything fits, keeping its end: for
    /// conversation context where the newest text is last. If the second segment alone does not fit, the
    /// first segment is emptied and the second is cut at its end.
    case leftOfFirst
}
