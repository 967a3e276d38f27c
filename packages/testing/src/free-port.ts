export { freePort } from "@grove/test-services";
