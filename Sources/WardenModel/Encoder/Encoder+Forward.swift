import WardenTensor

extension Encoder {
    /// A run of whole sequences processed together.
    struct Chunk {
        var tokens: Range<Int>
        var sequences: Range<Int>
    }

    /// How a batch is spread over workers.
    struct Schedule {
        var chunks: [Chunk]
        /// `nil`: run chunks one after another, each split by columns over all workers.
        /// Otherwise the chunk indices each worker runs on its own.
        var assignment: [[Int]]?
    }

    func run(_ batch: PackedBatch, options: EncoderOptions, workspace: EncoderWorkspace, activations: EncoderActivations?) -> EncoderOutput {
        let c = configuration
        let tokenCount = batch.tokenCount
        let copies: [FloatBuffer] =
            options.includeHiddenStates && activations == nil
            ? (0...c.layerCount).map { _ in FloatBuffer(capacity: tokenCount * c.hiddenSize) } : []
        let schedule = makeSchedule(batch, options: options)
        let workerCount = schedule.assignment?.count ?? 1
        let scratch = (0..<workerCount).map { workspace.worker($0) }
        var positions = [Int](repeating: 0, count: tokenCount)
        for s in 0..<batch.count {
            for (p, t) in batch.range(ofSequence: s).enumerated() { positions[t] = p + c.positionOffset }
        }

        let maskFlags = batch.attentionMask ?? []
        // The forward writes every row of the last hidden state straight into the output array (no zero fill, no copy).
        let hiddenStorage = [Float](unsafeUninitializedCapacity: tokenCount * c.hiddenSize) { buffer, initialized in
            initialized = buffer.count
            guard let base = buffer.baseAddress else { return }
            let last = MutableMatrixView(base: base, rows: tokenCount, columns: c.hiddenSize, stride: c.hiddenSize)
            batch.tokenIDs.withUnsafeBufferPointer { ids in
                batch.tokenTypeIDs.withUnsafeBufferPointer { types in
                    positions.withUnsafeBufferPointer { positionBuffer in
                        maskFlags.withUnsafeBufferPointer { mask in
                            let pass = ForwardPass(
                                weights: packed, batch: batch, tokenIDs: ids.baseAddress!, tokenTypeIDs: types.baseAddress!,
                                positions: positionBuffer.baseAddress!, keyMask: batch.attentionMask == nil ? nil : mask.baseAddress,
                                last: last, copies: copies, activations: activations)
                            let forkJoin = workspace.forkJoin(workers: options.workers)
                            if let assignment = schedule.assignment {
                                let workers = WorkerList(scratch: scratch)
                                forkJoin.run { w in
                                    for index in assignment[w] {
                                        pass.run(schedule.chunks[index], scratch: workers.scratch[w], forkJoin: .serial)
                                    }
                                }
                            } else {
                                // ~6 regions per layer: keep the helpers polling between them for the whole pass.
                                forkJoin.engaged {
                                    for chunk in schedule.chunks {
                                        pass.run(chunk, scratch: scratch[0], forkJoin: forkJoin)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        let hidden = Matrix(rows: tokenCount, columns: c.hiddenSize, storage: hiddenStorage)
        let pooled = Pooling.meanPool(hidden, batch: batch)
        let states: [Matrix]
        if let activations {
            states = activations.hiddenStates.map { Matrix(rows: tokenCount, columns: c.hiddenSize, storage: $0.toArray(count: tokenCount * c.hiddenSize)) }
        } else {
            states = copies.map { Matrix(rows: tokenCount, columns: c.hiddenSize, storage: $0.toArray(count: tokenCount * c.hiddenSize)) }
        }
        return EncoderOutput(
            sequenceOffsets: batch.sequenceOffsets, lastHiddenState: hidden, meanPooled: pooled,
            sentenceEmbeddings: Pooling.normalized(pooled), hiddenStates: states)
    }

    /// Matmul FLOPs of one sequence of `length` tokens (2 per multiply-add), the figure benchmarks report.
    public func matmulFLOPs(sequenceLength length: Int) -> Double {
        let c = configuration
        let (s, h, i) = (Double(length), Double(c.hiddenSize), Double(c.intermediateSize))
        return Double(c.layerCount) * s * (2 * 4 * h * h + 2 * 2 * h * i + 4 * s * h)
    }

    /// Cuts the batch into chunks and decides between sequence and column splitting.
    func makeSchedule(_ batch: PackedBatch, options: EncoderOptions) -> Schedule {
        let workers = options.workers
        if workers == 1 || batch.count == 0 {
            return Schedule(chunks: chunk(batch, target: options.maxChunkTokens), assignment: nil)
        }
        let perWorker = (batch.tokenCount + workers - 1) / workers
        let chunks = chunk(batch, target: min(options.maxChunkTokens, max(1, perWorker)))
        let costs = chunks.map { chunk in chunk.sequences.reduce(0.0) { $0 + matmulFLOPs(sequenceLength: batch.range(ofSequence: $1).count) } }
        // Longest-processing-time-first assignment.
        var loads = [Double](repeating: 0, count: workers)
        var assignment = [[Int]](repeating: [], count: workers)
        for index in chunks.indices.sorted(by: { costs[$0] > costs[$1] }) {
            let target = loads.indices.min { loads[$0] < loads[$1] }!
            loads[target] += costs[index]
            assignment[target].append(index)
        }
        let total = costs.reduce(0, +)
        let balanced = chunks.count >= workers && (loads.max() ?? 0) <= 1.5 * total / Double(workers)
        switch options.parallelism {
        case .splitSequences where chunks.count >= 2, .automatic where balanced:
            return Schedule(chunks: chunks, assignment: assignment.map { $0.sorted() })
        default:
            return Schedule(chunks: chunk(batch, target: options.maxChunkTokens), assignment: nil)
        }
    }

    /// Consecutive sequences grouped into chunks of at most `target` tokens (a longer sequence is a chunk alone).
    private func chunk(_ batch: PackedBatch, target: Int) -> [Chunk] {
        var chunks: [Chunk] = []
        var first = 0
        while first < batch.count {
            var end = first + 1
            while end < batch.count && batch.sequenceOffsets[end + 1] - batch.sequenceOffsets[first] <= target { end += 1 }
            chunks.append(Chunk(tokens: batch.sequenceOffsets[first]..<batch.sequenceOffsets[end], sequences: first..<end))
            first = end
        }
        return chunks
    }
}

/// Per-worker scratch handed into a parallel region (each worker touches only its own).
private struct WorkerList: @unchecked Sendable {
    let scratch: [EncoderWorkspace.WorkerScratch]
}
