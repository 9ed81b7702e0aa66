/** Worse or better by more than this share (of the ratio to the reference, or of an absolute figure). */
export const REGRESSION_SHARE = 0.2;
