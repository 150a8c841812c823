/** The optional terms of the QDGS objective (see DESIGN.md); weights 0 switch them off. */
export interface ObjectiveTerms {
  /** w_reg: weight of R(z) = (max(|z|, q) - q)^2. */
  regularizationWeight: number;
  /** q: the typical latent norm, sqrt(latentDim) by default (a standard normal prior's norm). */
  latentNormThreshold: number;
  /** w_u: weight of U(x) = max(0, margin - distance to the nearest remembered solution). */
  marginWeight: number;
  margin: number;
  /** How many recent solutions' image embeddings U(x) remembers. */
  marginMemory: number;
}
