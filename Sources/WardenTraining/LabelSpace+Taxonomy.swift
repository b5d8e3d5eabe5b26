import WardenTaxonomy

extension LabelSpace {
    /// `unsafe`, then every model label of the taxonomy in file order, then `profanity`.
    /// Dataset codes map by Llama Guard code (`S1`) and by hazard ID (`jailbreak`).
    public init(taxonomy: HazardTaxonomy) {
        var labels = ["unsafe"]
        var labelForCode: [String: String] = [:]
        for category in taxonomy.categories {
            guard let label = category.modelLabels.first else { continue }
            for model in category.modelLabels where !labels.contains(model) { labels.append(model) }
            labelForCode[category.id.rawValue] = label
            if let code = category.llamaGuardCode { labelForCode[code] = label }
        }
        labels.append(Self.profanityLabel)
        labelForCode[Self.profanityLabel] = Self.profanityLabel
        self.init(labels: labels, labelForCode: labelForCode)
    }
}
