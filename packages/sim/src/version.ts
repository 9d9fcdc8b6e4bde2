/** The version of ioasim written in every report. */
export const IOASIM_VERSION = '0.1.0';
