/** Shared by the forms (as input constraints) and the server (as validation). */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;
