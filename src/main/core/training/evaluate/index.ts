/** Evaluation: dense prediction of whole volumes with a model callback, and IoU/Dice scores. */
export { predictBySlices, type PredictSlices, type SlicePredictionOptions } from './predict-slices'
export { predictByWindows, type PredictPatches, type WindowPredictionOptions } from './predict-windows'
export { windowStarts, gaussianWeights } from './windows'
export { scoreVolume, summariseScores, type Score, type ClassScore } from './scores'
export { evaluateVolumes, netPredictor, type EvaluateOptions, type EvaluationVolume, type PredictProbabilities } from './evaluate-volumes'
