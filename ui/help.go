package ui

import "github.com/okta-device-wizard/okta-device-wizard/flows"

// stageExplanations are the onboarding notes of the device signal collection stages (ctrl+e):
// what the stage does in Okta and why it comes at this point.
var stageExplanations = map[int]string{
	flows.StageAppPolicy: "An app sign-in policy (ACCESS_POLICY) decides who may sign in to the " +
		"apps assigned to it. Its rule here matches devices registered with Okta Verify " +
		"(device.registered true), optionally managed ones. It comes first because the signal " +
		"collection policy is mapped to it: signals are collected for sign-ins to its apps.",
	flows.StageDSCPolicy: "A device signal collection policy says which signals Okta gathers " +
		"from a device at sign-in. It is created INACTIVE so that nothing changes for users " +
		"while its mapping and rule are added; the review activates it last.",
	flows.StageMapping: "A mapping ties the signal collection policy to app sign-in policies " +
		"(POST .../policies/{id}/mappings with the app sign-in policy as resourceId). Okta " +
		"collects the signals for sign-ins that those policies govern. The policy must exist " +
		"first, which is why mapping is stage 3.",
	flows.StageDSCRule: "The rule of the signal collection policy names the device context " +
		"providers: Okta Verify (userIdentification ALLOW lets it identify the user), Chrome " +
		"Device Trust, or a device posture identity provider. Conditions can narrow it to " +
		"platforms or network zones. Device assurance policies later check these signals.",
	flows.StageReview: "Every request, in the order it will be sent. {{step.id}} placeholders " +
		"stand for ids of objects created earlier in the run. Activation is last so the policy " +
		"only takes effect once its mapping and rule exist; you may leave it inactive and " +
		"activate it later in the Admin Console.",
}
