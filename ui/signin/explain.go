package signin

// howOktaPicksARule is the ctrl+e onboarding text of the screen: how an app sign-in policy
// decides a sign-in, so a walkthrough ends with the admin seeing the policy work.
const howOktaPicksARule = "How Okta picks a rule: the app being signed in to has exactly one app " +
	"sign-in policy. Okta tries that policy's ACTIVE rules in priority order (1 first) and the " +
	"first rule whose every condition matches decides; the rules tried before it are listed as " +
	"not matching. A condition the rule does not set matches anyone. The catch-all rule is last " +
	"and matches every sign-in, so an app is never left undecided. The deciding rule's action is " +
	"what the user gets: ALLOW (with the factors it asks for, and how often they must sign in " +
	"again) or DENY. UNDEFINED means the sign-in did not say (e.g. no risk level), so Okta could " +
	"not check that condition."

// predictionLabel is how a before-sending answer is marked, every time it is shown.
const predictionLabel = "The wizard's prediction, not Okta's answer: the plan applied to a copy of the policies it touches"

// oktaLabel marks an answer from Okta's own simulation of the org.
const oktaLabel = "Okta's answer (its policy simulation of the org as it is now)"
