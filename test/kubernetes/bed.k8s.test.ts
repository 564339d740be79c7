/**
 * The platform on a real single-node cluster (`scripts/bed.sh`), in one file because each part builds on the last:
 * the install, its network policies, disruption under load, rollback and uninstall; then the operator mode, checked
 * by the API server against the operators' CRDs; last, the release deployed again by `skaffold run -p bed`.
 */
import './install.js';
import './network-policy.js';
import './disruption.js';
import './lifecycle.js';
import './operator-mode.js';
import './skaffold.js';
